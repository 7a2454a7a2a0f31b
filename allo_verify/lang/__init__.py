"""The kernel language: types, the Python-to-MLIR frontend, kernel templates."""
