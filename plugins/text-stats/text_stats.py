#!/usr/bin/env python3
"""text_stats: an agent2389 subprocess tool written in Python.

The external tool protocol: one JSON object {"tool", "parameters", "config"} on stdin, one JSON
value on stdout, exit 0. Anything else (non-zero exit, no JSON) is a failure the agent reports
with an excerpt of stderr. `--describe` prints the tool's description and parameter schema.
"""
import json
import re
import sys
from collections import Counter

DESCRIPTION = {
    "description": "Count the characters, words, lines and sentences of a text and list its most frequent words.",
    "parameters": {
        "type": "object",
        "required": ["text"],
        "properties": {"text": {"type": "string"}, "top": {"type": "integer", "minimum": 0, "maximum": 50}},
    },
}


def stats(text: str, top: int) -> dict:
    words = re.findall(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", text.lower())
    return {
        "characters": len(text),
        "words": len(words),
        "lines": len(text.splitlines()) if text else 0,
        "sentences": len([s for s in re.split(r"[.!?]+", text) if s.strip()]),
        "top_words": [{"word": w, "count": c} for w, c in Counter(words).most_common(top)],
    }


def main() -> int:
    if "--describe" in sys.argv[1:]:
        json.dump(DESCRIPTION, sys.stdout)
        return 0
    request = json.load(sys.stdin)
    params = request.get("parameters") or {}
    text = params.get("text")
    if not isinstance(text, str):
        print("parameters.text must be a string", file=sys.stderr)
        return 2
    json.dump(stats(text, int(params.get("top", 5))), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
