/// The dashboard's one stylesheet and one script, served from this binary.
enum Assets {
    static let stylesheet = """
        :root { --bg:#f6f7f9; --fg:#1c2330; --muted:#5d6778; --line:#dde1e8; --card:#fff; --accent:#2f6fdf;
          --ok:#2e9d5b; --warn:#d9a400; --hot:#e06a00; --bad:#d12d2d; }
        * { box-sizing: border-box; }
        body { margin:0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background:var(--bg); color:var(--fg); }
        header { display:flex; gap:1.5rem; align-items:center; padding:.6rem 1.5rem; background:#18202e; color:#fff; flex-wrap:wrap; }
        header .brand { font-weight:700; letter-spacing:.04em; }
        header nav a { color:#c9d3e6; text-decoration:none; margin-right:1rem; }
        header nav a.active, header nav a:hover { color:#fff; border-bottom:2px solid var(--accent); }
        header .served { margin-left:auto; color:#9aa6bb; font-size:.85rem; }
        #live.on::before { content:"● live"; color:#53d18a; margin-left:.6rem; }
        main { padding:1rem 1.5rem 3rem; max-width:1400px; }
        h1 { font-size:1.4rem; margin:.4rem 0 1rem; } h2 { font-size:1.1rem; margin:1.6rem 0 .6rem; }
        .cards { display:grid; grid-template-columns:repeat(auto-fill, minmax(190px, 1fr)); gap:.7rem; }
        .card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:.6rem .8rem; }
        .card .label { color:var(--muted); font-size:.8rem; text-transform:uppercase; letter-spacing:.04em; }
        .card .figure { font-size:1.25rem; font-weight:600; font-variant-numeric:tabular-nums; }
        .scroll { overflow-x:auto; background:var(--card); border:1px solid var(--line); border-radius:8px; }
        table { border-collapse:collapse; width:100%; font-size:.9rem; }
        th, td { padding:.35rem .6rem; border-bottom:1px solid var(--line); text-align:left; white-space:nowrap; }
        th { background:#eef1f5; font-weight:600; position:sticky; top:0; }
        td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
        td.wrap { white-space:pre-wrap; word-break:break-word; max-width:60rem; }
        tr:hover td { background:#f3f6fb; }
        a { color:var(--accent); }
        .charts { display:grid; grid-template-columns:repeat(auto-fill, minmax(420px, 1fr)); gap:.8rem; }
        .chart { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:.5rem .7rem; }
        .chart h3 { margin:0 0 .3rem; font-size:.9rem; color:var(--muted); font-weight:600; }
        .chart svg { width:100%; height:auto; display:block; }
        .chart .bar { fill:var(--accent); } .chart .bar2 { fill:#8fb0ee; } .chart .err { fill:var(--bad); }
        .chart .axis { stroke:var(--line); } .chart text { font-size:10px; fill:var(--muted); }
        form.filters { display:flex; flex-wrap:wrap; gap:.5rem; align-items:end; margin-bottom:.8rem; }
        form.filters label { display:flex; flex-direction:column; font-size:.8rem; color:var(--muted); }
        form.filters input, form.filters select { font:inherit; padding:.25rem .4rem; border:1px solid var(--line); border-radius:5px; }
        button { font:inherit; padding:.3rem .9rem; border:0; border-radius:5px; background:var(--accent); color:#fff; cursor:pointer; }
        .pager { margin:.7rem 0; display:flex; gap:1rem; }
        .error { color:var(--bad); font-weight:600; } .empty { color:var(--muted); }
        .status-COMPLETED { color:var(--ok); } .status-FAILED, .status-TIMEOUT { color:var(--bad); } .status-ACTIVE { color:var(--accent); }
        .context svg { width:100%; max-width:640px; height:26px; } .context .track { fill:#e7eaf0; }
        .context .fill-ok { fill:var(--ok); } .context .fill-80 { fill:var(--warn); } .context .fill-90 { fill:var(--hot); } .context .fill-95 { fill:var(--bad); }
        .context .mark { stroke:#1c2330; stroke-width:1; }
        .transcript { display:flex; flex-direction:column; gap:.4rem; }
        .ev { background:var(--card); border:1px solid var(--line); border-left:4px solid var(--line); border-radius:6px; padding:.35rem .7rem; }
        .ev .meta { color:var(--muted); font-size:.8rem; } .ev .text { white-space:pre-wrap; word-break:break-word; }
        .ev.user { border-left-color:var(--accent); } .ev.assistant { border-left-color:var(--ok); }
        mark { background:#e8c547; color:#111; border-radius:2px; }
        .ev.llm { border-left-color:#8a63d2; } .ev.tool { border-left-color:var(--warn); } .ev.bad { border-left-color:var(--bad); }
        details pre { background:#f3f5f8; padding:.5rem; border-radius:5px; overflow-x:auto; white-space:pre-wrap; word-break:break-word; }
        """

    /// Live updates: on each `snapshot` event of `/api/v1/stream`, the page's `main` is fetched
    /// again and swapped in (pages marked `data-live`). Everything else works without it.
    static let script = """
        "use strict";
        (function () {
          if (!document.body || document.body.dataset.live !== "1" || !window.EventSource) return;
          var live = document.getElementById("live");
          var shown = document.getElementById("generation");
          var source = new EventSource("/api/v1/stream");
          source.onopen = function () { if (live) live.className = "on"; };
          source.onerror = function () { if (live) live.className = ""; };
          source.addEventListener("snapshot", function (event) {
            var data;
            try { data = JSON.parse(event.data); } catch (e) { return; }
            if (shown && String(data.generation) === shown.textContent) return;
            fetch(location.pathname + location.search, { credentials: "same-origin" })
              .then(function (response) { return response.ok ? response.text() : null; })
              .then(function (text) {
                if (!text) return;
                var page = new DOMParser().parseFromString(text, "text/html");
                var main = page.querySelector("main"), generation = page.getElementById("generation");
                if (main) document.querySelector("main").replaceWith(main);
                if (generation && shown) shown.textContent = generation.textContent;
              })
              .catch(function () {});
          });
        })();
        """
}
