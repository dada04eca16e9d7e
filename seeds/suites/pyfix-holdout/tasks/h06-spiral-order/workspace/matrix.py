def spiral(rows):
    raise NotImplementedError
