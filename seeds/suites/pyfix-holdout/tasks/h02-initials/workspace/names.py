def initials(full_name):
    raise NotImplementedError
