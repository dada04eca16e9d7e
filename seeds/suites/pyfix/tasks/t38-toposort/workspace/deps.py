def build_order(deps):
    order = []
    for target in sorted(deps):
        for dep in deps[target]:
            if dep not in order:
                order.append(dep)
        if target not in order:
            order.append(target)
    return order
