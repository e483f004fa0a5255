"""Frames per second while dragging a node, in headless Chromium, on a 200-node design, with a
20-node design measured in the same run as the peer (the ratio says what the size costs).

    .venv/bin/python benchmarks/canvas_fps.py [--nodes 20 200] [--seconds 4]

Needs the built frontend (`make frontend`) and Chromium (/usr/bin/chromium or CHROMIUM_PATH).
The last line is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from playwright.sync_api import sync_playwright  # noqa: E402
from stack import Stack  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
ARGS += ["--disable-component-update", "--disable-sync"]


def design(nodes: int) -> dict:
    """users → lb → (nodes - 3) web servers → db, laid out on a grid."""
    webs = nodes - 3
    columns = max(1, int(math.sqrt(webs)))
    doc_nodes = [
        {"id": "users", "kind": "users", "position": {"x": 0, "y": 0}},
        {"id": "lb", "kind": "load_balancer", "position": {"x": 250, "y": 0}},
        {"id": "db", "kind": "database", "position": {"x": 500 + 230 * columns, "y": 0}},
    ]
    edges = [{"from": "users", "to": "lb"}]
    for i in range(webs):
        position = {"x": 500 + 230 * (i % columns), "y": 90 * (i // columns)}
        doc_nodes.append({"id": f"web-{i}", "kind": "server", "position": position})
        edges += [{"from": "lb", "to": f"web-{i}"}, {"from": f"web-{i}", "to": "db"}]
    return {"version": 1, "name": f"{nodes} nodes", "nodes": doc_nodes, "edges": edges}


COUNT_FRAMES = """() => new Promise(resolve => {
  window.__frames = 0; window.__stop = false;
  const tick = () => { window.__frames++; if (!window.__stop) requestAnimationFrame(tick); };
  requestAnimationFrame(tick); resolve(true);
})"""


def drag_fps(page, base: str, nodes: int, seconds: float) -> float:
    page.goto(base + "/")
    created = page.evaluate(
        """async (doc) => {
          await fetch('/api/auth/csrf');
          const cookie = document.cookie.split('; ').find(c => c.startsWith('csrftoken='));
          const token = cookie.split('=')[1];
          const r = await fetch('/api/scenarios', {method: 'POST', credentials: 'same-origin',
            headers: {'Content-Type': 'application/json', 'X-CSRFToken': token},
            body: JSON.stringify({title: doc.name, document: doc})});
          return r.json();
        }""",
        design(nodes),
    )
    page.goto(f"{base}/d/{created['id']}")
    node = page.get_by_test_id("node-web-0")
    node.wait_for(timeout=30_000)
    box = node.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.evaluate(COUNT_FRAMES)
    started = time.perf_counter()
    step = 0
    while time.perf_counter() - started < seconds:
        step += 1
        page.mouse.move(x + 120 * math.sin(step / 15), y + 80 * math.cos(step / 15))
    elapsed = time.perf_counter() - started
    frames = page.evaluate("() => { window.__stop = true; return window.__frames; }")
    page.mouse.up()
    after = node.bounding_box()
    if abs(after["x"] - box["x"]) + abs(after["y"] - box["y"]) < 5:
        raise SystemExit(f"{nodes} nodes: the node did not move; the drag was not measured")
    return frames / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, nargs="+", default=[20, 200])
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()
    fps = {}
    with Stack(workers=1) as stack, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for nodes in args.nodes:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            fps[nodes] = round(drag_fps(page, stack.base, nodes, args.seconds), 1)
            page.close()
            print(f"{nodes:>5} nodes: {fps[nodes]:6.1f} frames per second while dragging")
        browser.close()
    peer = fps[args.nodes[0]]
    ratios = {n: round(f / peer, 2) for n, f in fps.items()}
    print(json.dumps({"fps": fps, "ratio_to_smallest": ratios, "target_fps": 30}))


if __name__ == "__main__":
    main()
