import allo_verify as av


def broken(:
    pass
