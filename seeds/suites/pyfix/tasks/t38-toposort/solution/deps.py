import heapq


def build_order(deps):
    nodes = set(deps)
    for ds in deps.values():
        nodes.update(ds)
    waiting = {n: set(deps.get(n, [])) for n in nodes}
    users = {n: [] for n in nodes}
    for n, ds in waiting.items():
        for dep in ds:
            users[dep].append(n)
    ready = [n for n, ds in waiting.items() if not ds]
    heapq.heapify(ready)
    order = []
    while ready:
        n = heapq.heappop(ready)
        order.append(n)
        for user in users[n]:
            waiting[user].discard(n)
            if not waiting[user]:
                heapq.heappush(ready, user)
    if len(order) != len(nodes):
        stuck = sorted(n for n in nodes if waiting[n])
        raise ValueError("dependency cycle among: " + ", ".join(map(str, stuck)))
    return order
