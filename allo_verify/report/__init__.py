"""Reports of a verification certificate: Markdown, one-file HTML, JUnit XML, diffs.

Every function takes the certificate as a plain dict (`Certificate.to_dict()` or a loaded
CERT.json), so reports can be made without MLIR or Z3. The claim words are those of
DESIGN.md ("What each layer claims"); nothing is called proved that was not.
"""

from allo_verify.report.claims import entry_claim, layer_claim, overall_claim, overall_status
from allo_verify.report.diff import CertDiff, StatusChange, diff_certificates
from allo_verify.report.html import to_html
from allo_verify.report.junit import to_junit
from allo_verify.report.markdown import to_markdown
from allo_verify.report.writers import FORMATS, write_reports

__all__ = [
    "FORMATS",
    "CertDiff",
    "StatusChange",
    "diff_certificates",
    "entry_claim",
    "layer_claim",
    "overall_claim",
    "overall_status",
    "to_html",
    "to_junit",
    "to_markdown",
    "write_reports",
]
