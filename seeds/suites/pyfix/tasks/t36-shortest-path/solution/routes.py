import heapq
import itertools


def shortest_path(graph, start, goal):
    counter = itertools.count()
    heap = [(0, next(counter), start, [start])]
    best = {start: 0}
    while heap:
        cost, _, node, path = heapq.heappop(heap)
        if node == goal:
            return cost, path
        if cost > best.get(node, float("inf")):
            continue
        for nxt, weight in graph.get(node, {}).items():
            new_cost = cost + weight
            if new_cost < best.get(nxt, float("inf")):
                best[nxt] = new_cost
                heapq.heappush(heap, (new_cost, next(counter), nxt, path + [nxt]))
    return None
