def get_setting(config, path, default=None):
    node = config
    for part in path.split("."):
        node = node[part]
    return node
