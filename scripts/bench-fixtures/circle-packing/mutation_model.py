"""A seeded "model" for the circle-packing race (scripts/bench-circle-packing.sh --model mutation).

An OpenAI-compatible chat endpoint that answers every call with one SEARCH/REPLACE block changing one
number in the program the prompt asks it to edit, and does not read anything else in the prompt. Both
racers get the same proposal distribution, so what differs between them is only their search: which
parent they choose, what they keep, and what a child costs. It stands in for a model that can write a valid
edit, which SmolLM2-135M on two cores cannot (docs/benchmarks.md); it is not a model of what an LLM
proposes.

The program to edit is the first python code block after the prompt's heading for it: OpenEvolve's
"# Current Program" line, or evolve's "# Source (...)" line (its file path is the line above the fence).
One line of code (not the docstring, not a comment) that holds a number and occurs once in the program is
chosen at random, one number in it is changed: a whole number by one up or down (never below 0), a
decimal number multiplied by exp(N(0, 0.15)) and written with 4 significant digits. The answer:

    pack.py
    <<<<<<< SEARCH
    SCALE = 0.5
    =======
    SCALE = 0.5412
    >>>>>>> REPLACE

A prompt with no program in it gets an answer with no edit (both racers count that child as failed).
Prints "listening on PORT" once it serves; GET /seed/N starts its random draws again from seed N (the race
does so before each run, so that both sides of seed N draw from the same sequence).

    python3 mutation_model.py --seed S
"""
import argparse
import http.server
import json
import math
import random
import re
import threading

NUMBER = re.compile(r"(?<![\w.])(\d+\.\d*|\.\d+|\d+)(?![\w.])")
LOCK = threading.Lock()
RNG = random.Random(0)


def program_in(prompt):
    """The (path, program) the prompt asks to edit, or None."""
    lines = prompt.split("\n")
    start = None
    for i, line in enumerate(lines):
        if line.strip() == "# Current Program" or line.startswith("# Source ("):
            start = i
            break
    if start is None:
        return None
    # The first python block after the heading (evolve lists agent.yaml with the source), else the first block.
    fences = [i for i in range(start + 1, len(lines)) if lines[i].startswith("```")]
    opening = ([i for i in fences if lines[i].startswith("```py")] or fences or [None])[0]
    if opening is None:
        return None
    path = lines[opening - 1].strip() if opening > start + 1 and lines[opening - 1].strip() else "program.py"
    body = []
    for line in lines[opening + 1:]:
        if line.startswith("```"):
            return path, body
        body.append(line)
    return None


def code_lines(program):
    """Indexes of the lines that may change: code with a number in it, occurring once in the program."""
    chosen, in_docstring = [], False
    for i, line in enumerate(program):
        quotes = line.count('"""') + line.count("'''")
        if in_docstring or quotes:
            if quotes % 2 == 1:
                in_docstring = not in_docstring
            continue
        if line.lstrip().startswith("#") or not NUMBER.search(line.split("#")[0]):
            continue
        if program.count(line) == 1:
            chosen.append(i)
    return chosen


def changed(literal, rng):
    if "." not in literal:
        value = int(literal)
        return str(value + 1 if value == 0 or rng.random() < 0.5 else value - 1)
    value = float(literal) * math.exp(rng.gauss(0, 0.15))
    text = "%.4g" % value
    return text if "." in text or "e" in text else text + ".0"


def answer(prompt):
    found = program_in(prompt)
    if not found:
        return "I see no program to change."
    path, program = found
    with LOCK:
        candidates = code_lines(program)
        if not candidates:
            return "The program has no number to change."
        line = program[RNG.choice(candidates)]
        code = line.split("#")[0]
        numbers = list(NUMBER.finditer(code))
        pick = RNG.choice(numbers)
        new = changed(pick.group(1), RNG)
        while new == pick.group(1):
            new = changed(pick.group(1), RNG)
    replaced = line[:pick.start(1)] + new + line[pick.end(1):]
    return "%s\n<<<<<<< SEARCH\n%s\n=======\n%s\n>>>>>>> REPLACE\n" % (path, line, replaced)


class Model(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        reseed = re.fullmatch(r"/seed/(\d+)", self.path)
        if reseed:
            with LOCK:
                RNG.seed(int(reseed.group(1)))
            return self.reply(200, {"seed": int(reseed.group(1))})
        if self.path.rstrip("/").endswith("/models"):
            return self.reply(200, {"object": "list", "data": [{"id": "mutation", "object": "model"}]})
        self.reply(404, {"error": {"message": "not found"}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        try:
            request = json.loads(self.rfile.read(length) or b"{}")
            prompt = "\n".join(m.get("content") or "" for m in request.get("messages", []) if m.get("role") == "user")
        except (ValueError, AttributeError, TypeError):
            return self.reply(400, {"error": {"message": "the body is not a chat request"}})
        if not self.path.rstrip("/").endswith("chat/completions"):
            return self.reply(404, {"error": {"message": "only chat/completions"}})
        text = answer(prompt)
        self.reply(200, {
            "id": "mutation", "object": "chat.completion", "model": request.get("model") or "mutation",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": len(prompt) // 4, "completion_tokens": len(text) // 4,
                      "total_tokens": (len(prompt) + len(text)) // 4},
        })


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    RNG.seed(parser.parse_args().seed)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Model)
    server.daemon_threads = True
    print("listening on %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
