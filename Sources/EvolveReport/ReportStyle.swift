/// The report's stylesheet and script, inlined into every page.
enum ReportStyle {
    static let css = """
        :root{--ink:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#f7f8fa;--card:#fff;--accent:#2563eb}
        *{box-sizing:border-box}
        body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",\
        Roboto,"Helvetica Neue",Arial,sans-serif}
        .mono,pre,code{font-family:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace}
        header.top{display:flex;justify-content:space-between;align-items:flex-end;gap:16px;padding:18px 28px 14px;\
        background:#fff;border-bottom:1px solid var(--line)}
        h1{margin:0;font-size:22px;font-weight:650;letter-spacing:-.01em}
        h2{font-size:16px;font-weight:620;margin:0 0 10px}
        h2 .muted{font-weight:400;font-size:13px;margin-left:6px}
        h3{margin:0 0 6px;font-size:18px;display:flex;align-items:center;gap:8px}
        h4{margin:16px 0 6px;font-size:13px;font-weight:620}
        .muted{color:var(--muted)}
        .path{color:var(--muted);font-size:12px;margin-top:2px}
        .status{color:var(--muted);font-size:12px}
        .status.live-ok::before{content:"";display:inline-block;width:8px;height:8px;border-radius:50%;\
        background:#22c55e;margin-right:6px}
        main{padding:18px 28px 40px;max-width:1400px}
        section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 18px;\
        margin:0 0 18px}
        section.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px;\
        background:none;border:none;padding:0}
        .card{background:#fff;border:1px solid var(--line);border-top:4px solid #cbd5e1;border-radius:10px;\
        padding:10px 14px}
        .card .label{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.05em}
        .card .value{font-size:24px;font-weight:650;margin:2px 0}
        .card .note{font-size:12px;color:var(--muted)}
        .scroll{overflow:auto;max-height:1100px}
        svg.chart{max-width:100%;height:auto}
        .pair{display:flex;flex-wrap:wrap;gap:18px}
        .keys{display:flex;flex-wrap:wrap;gap:14px;font-size:12px;color:var(--muted);margin:0 0 6px}
        .key{display:inline-flex;align-items:center;gap:5px}
        .key i{display:inline-block;width:12px;height:12px;border-radius:3px}
        .key i.line{height:3px;width:18px;border-radius:2px}
        i.best-so-far{background:#166534}i.best-gen{background:#22c55e}i.mean{background:#2563eb}
        i.cumulative{background:#b45309}
        svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
        .tick{font-size:11px;fill:#4b5563}
        .axis-label{font-size:12px;fill:#374151;font-weight:600}
        .note{font-size:13px;fill:#9ca3af}
        .grid{stroke:#eef0f3;stroke-width:1}
        .grid.faint{stroke:#f6f7f9}
        .axis{stroke:#9ca3af;stroke-width:1}
        .series{fill:none;stroke-width:2;stroke-linejoin:round;stroke-linecap:round}
        .series.best-so-far{stroke:#166534;stroke-width:3}
        .series.best-gen{stroke:#22c55e;stroke-width:1.5}
        .series.mean{stroke:#2563eb;stroke-width:1.6}
        .series.cumulative{stroke:#b45309;stroke-width:2.2}
        .tick.cumulative,.axis-label.cumulative{fill:#b45309}
        .dot.best-gen{fill:#22c55e;stroke:#fff;stroke-width:1}
        .dot.mean{fill:#2563eb;stroke:#fff;stroke-width:1}
        .bar.tokens-in{fill:#93c5fd}.bar.tokens-out{fill:#1d4ed8}.bar.cost{fill:#fbbf24}
        .edge{fill:none;stroke:#c3c9d2;stroke-width:1}
        .edge.invalid{stroke:#e6e8ec;stroke-width:.8}
        .edge.crossover{stroke:#8b5cf6;stroke-width:1.1;stroke-dasharray:3 2;opacity:.7}
        .edge.best{stroke:#111827;stroke-width:2.6}
        .node{stroke:#fff;stroke-width:1;cursor:pointer}
        .node.unscored{stroke:#9ca3af}
        .node.invalid{opacity:.32;stroke:none}
        .node.path{stroke:#111827;stroke-width:1.8}
        .node.best{stroke:#111827;stroke-width:2.6}
        .node:hover{stroke:var(--accent);stroke-width:2.5}
        .node.selected{stroke:var(--accent);stroke-width:3.5;opacity:1}
        .node-label{font-size:10px;fill:#374151;pointer-events:none;paint-order:stroke;stroke:#fff;stroke-width:3}
        .node-label.best{font-size:12px;font-weight:700;fill:#111827}
        .heatmap .col,.heatmap .score-strip,.diff-head{cursor:pointer}
        .cell{stroke:none}
        details.top-diff{border-top:1px solid var(--line);padding:6px 0}
        details.top-diff:first-of-type{border-top:none}
        summary{cursor:pointer}
        .swatch{display:inline-block;width:12px;height:12px;border-radius:50%;vertical-align:-1px;margin-right:6px;\
        border:1px solid rgba(0,0,0,.15)}
        pre.diff,pre.log{background:#fbfbfc;border:1px solid var(--line);border-radius:6px;padding:8px 10px;\
        font-size:12px;line-height:1.4;overflow:auto;max-height:520px;white-space:pre}
        pre.log{white-space:pre-wrap;max-height:320px}
        .da{color:#116329;background:#e6ffec;display:inline-block;min-width:100%}
        .dr{color:#82071e;background:#ffebe9;display:inline-block;min-width:100%}
        .du{color:#6f42c1}.dh{color:#57606a;font-weight:600}.dm{color:var(--muted);font-style:italic}
        #panel{position:fixed;top:0;right:0;width:min(520px,92vw);height:100vh;background:#fff;\
        border-left:1px solid var(--line);box-shadow:-8px 0 24px rgba(15,23,42,.08);padding:18px 20px;\
        overflow:auto;transform:translateX(105%);transition:transform .15s ease;z-index:10}
        #panel.open{transform:none}
        .panel-close{position:absolute;top:10px;right:12px;border:none;background:none;font-size:22px;\
        color:var(--muted);cursor:pointer}
        .summary{margin:0 0 10px}
        table.meta{border-collapse:collapse;font-size:12.5px;width:100%}
        table.meta th{text-align:left;color:var(--muted);font-weight:500;padding:2px 12px 2px 0;width:90px;\
        vertical-align:top}
        table.meta td{padding:2px 0;word-break:break-all}
        .outcomes{font-size:12.5px}
        .outcome{padding:1px 0}
        .o-pass{color:#15803d;font-weight:700}.o-fail{color:#b91c1c;font-weight:700}
        .empty{color:var(--muted)}
        .series.front{stroke:#111827;stroke-width:1.6;stroke-dasharray:4 3}i.front{background:#111827}
        .point{stroke:#fff;stroke-width:1;cursor:pointer}.point.front{stroke:#111827;stroke-width:1.5}
        table.front{border-collapse:collapse;font-size:12.5px;align-self:flex-start}
        table.front th,table.front td{text-align:left;padding:3px 12px 3px 0;border-bottom:1px solid var(--line)}
        table.front tr[data-id]{cursor:pointer}
        .bin.empty{fill:#f8f9fb;stroke:#d1d5db;stroke-width:1;stroke-dasharray:3 2}
        .bin.full{cursor:pointer}.bin.full rect{stroke:#fff;stroke-width:1}
        .bin.full:hover rect{stroke:var(--accent);stroke-width:2.5}
        .elite-id{font-size:11px;font-weight:600;fill:#111827;pointer-events:none}
        i.bin-empty{background:#f8f9fb;border:1px dashed #d1d5db}
        .metrics,.artifact{display:block}.metrics{font-size:12px;color:#374151;margin:1px 0 3px 16px;word-break:break-word}
        """
}

/// The page's script: clicks open the panel, `?select=v3` does the same as clicking v3, and a live page
/// polls `/api/state` and swaps in a fresh `/api/report` when the archive changes.
enum ReportScript {
    static let js = """
        (function () {
          "use strict";
          var live = document.body.dataset.live === "1";
          var poll = parseInt(document.body.dataset.poll, 10) || 3000;
          var panel = document.getElementById("panel");
          var body = panel.querySelector(".panel-body");
          var selected = null;
          function mark() {
            document.querySelectorAll("circle.node.selected").forEach(function (n) { n.classList.remove("selected"); });
            if (!selected) return;
            var n = document.querySelector('circle.node[data-id="' + selected + '"]');
            if (n) n.classList.add("selected");
          }
          function select(id) {
            if (!/^v[0-9]+$/.test(id)) return;
            selected = id;
            mark();
            panel.classList.add("open");
            if (live) {
              body.innerHTML = '<p class="muted">Loading ' + id + '…</p>';
              fetch("/variant/" + id + "?fragment=1", { cache: "no-store" }).then(function (r) {
                return r.text().then(function (t) {
                  if (selected !== id) return;
                  body.innerHTML = r.ok ? t : '<p class="muted">' + id + " could not be loaded (" + r.status + ")</p>";
                });
              }).catch(function () { body.innerHTML = '<p class="muted">The server did not answer.</p>'; });
            } else {
              var t = document.getElementById("d-" + id);
              body.innerHTML = t ? t.innerHTML : '<p class="muted">No variant ' + id + " in this report.</p>";
            }
            try { history.replaceState(null, "", "?select=" + id); } catch (e) {}
          }
          document.addEventListener("click", function (e) {
            if (e.target.closest(".panel-close")) {
              panel.classList.remove("open");
              selected = null;
              mark();
              return;
            }
            var n = e.target.closest("[data-id]");
            if (n && n.closest(".tree, .heatmap, .chart, .elites, table.front")) select(n.getAttribute("data-id"));
          });
          document.addEventListener("keydown", function (e) {
            if (e.key === "Escape") { panel.classList.remove("open"); selected = null; mark(); }
          });
          var asked = new URLSearchParams(location.search).get("select");
          if (asked) select(asked);
          if (!live) return;
          var status = document.getElementById("live-status");
          function refresh() {
            fetch("/api/state", { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (s) {
              var main = document.getElementById("report");
              status.className = "status live-ok";
              status.textContent = "live · " + s.variants + " variants · checked " + new Date().toLocaleTimeString();
              if (s.fingerprint === main.dataset.fingerprint) return;
              return fetch("/api/report", { cache: "no-store" }).then(function (r) { return r.text(); })
                .then(function (html) {
                  var fresh = document.createElement("div");
                  fresh.innerHTML = html;
                  var next = fresh.querySelector("#report");
                  if (next) { main.replaceWith(next); mark(); }
                });
            }).catch(function () {
              status.className = "status";
              status.textContent = "live · the server is not answering; retrying";
            });
          }
          setInterval(refresh, poll);
        })();
        """
}
