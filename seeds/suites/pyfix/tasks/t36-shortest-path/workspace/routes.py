from collections import deque


def shortest_path(graph, start, goal):
    queue = deque([(start, [start], 0)])
    seen = {start}
    while queue:
        node, path, cost = queue.popleft()
        if node == goal:
            return cost, path
        for nxt, weight in graph[node].items():
            if nxt not in seen:
                seen.add(nxt)
                queue.append((nxt, path + [nxt], cost + weight))
    return None
