import FairwayMesh
import FairwayResources
import FairwayXDS
import Foundation

/// Renders `StatusPageModel` as one self-contained HTML page: inline CSS, a few lines of
/// vanilla JS that re-fetch the page and swap `<main>`, no external requests at all.
enum StatusPageHTML {
  static let refreshSeconds = 5

  static func render(_ model: StatusPageModel) -> String {
    var html = head
    html +=
      "<body><header><div class=\"brand\"><svg class=\"logo\" viewBox=\"0 0 24 24\" width=\"22\" height=\"22\" aria-hidden=\"true\"><path d=\"M7 21V3l10 4-10 4\" fill=\"#2dd4bf\" stroke=\"#2dd4bf\" stroke-width=\"1.5\" stroke-linejoin=\"round\"/><ellipse cx=\"12\" cy=\"21\" rx=\"8\" ry=\"1.6\" fill=\"#5b7a92\"/></svg> Fairway"
    html += "<span class=\"sub\">xDS control plane</span></div>"
    html +=
      "<div class=\"refresh\"><label><input type=\"checkbox\" id=\"auto\" checked> auto-refresh</label>"
    html += " <span id=\"updated\"></span></div></header>\n<main data-generated=\""
    html += HTMLText.escape(model.now.formatted(.iso8601)) + "\">"
    html += summary(model)
    html += proxies(model)
    html += nacks(model)
    html += pushes(model)
    html += configs(model)
    html +=
      "</main>\n<footer>Fairway · <a href=\"/metrics\">/metrics</a> · <a href=\"/debug/syncz\">/debug/syncz</a>"
    html +=
      " · <a href=\"/debug/push_status\">/debug/push_status</a> · <a href=\"/debug/configz\">/debug/configz</a></footer>"
    html += script
    html += "</body></html>\n"
    return html
  }

  static func summary(_ model: StatusPageModel) -> String {
    let synced = model.proxies.filter { row in
      row.states.allSatisfy { $0.state == .synced || $0.state == .notSent }
    }
    let erroring = model.proxies.filter { row in row.states.contains { $0.state == .error } }
    let lastPush = model.pushes.first.map { age(since: $0.time, now: model.now) } ?? "never"
    let tiles: [(String, String, String)] = [
      ("Connected streams", String(model.proxies.count), ""),
      (
        "In sync", "\(synced.count)/\(model.proxies.count)",
        synced.count == model.proxies.count ? "good" : "warn"
      ),
      ("Rejecting config", String(erroring.count), erroring.isEmpty ? "good" : "bad"),
      ("Pushes sent", String(model.pushesSent), ""),
      ("NACKs received", String(model.nacksReceived), model.nacksReceived == 0 ? "" : "bad"),
      ("Configs", String(model.configs.count), ""),
      ("Last push", lastPush, ""),
    ]
    var html = "<section class=\"tiles\">"
    for (label, value, tone) in tiles {
      html += "<div class=\"tile \(tone)\"><div class=\"value\">\(HTMLText.escape(value))</div>"
      html += "<div class=\"label\">\(HTMLText.escape(label))</div></div>"
    }
    return html + "</section>"
  }

  static func proxies(_ model: StatusPageModel) -> String {
    var html = "<section class=\"card\" id=\"proxies\"><h2>Connected proxies <span class=\"count\">"
    html += "\(model.proxies.count)</span></h2>"
    guard !model.proxies.isEmpty else {
      return html + "<p class=\"empty\">No proxies connected.</p></section>"
    }
    html += "<table><thead><tr><th>Proxy</th><th>Client</th><th>Stream</th>"
    for (name, _) in StatusPageModel.columns { html += "<th class=\"c\">\(name)</th>" }
    html += "<th>Last push</th><th>Connected</th></tr></thead><tbody>"
    for row in ordered(model.proxies).prefix(maxProxyRows) {
      html +=
        "<tr><td class=\"mono id\" title=\"\(HTMLText.escape(row.id)) from \(HTMLText.escape(row.peer))\">"
      html += "\(breakable(row.id))</td>"
      html +=
        "<td class=\"nowrap\">\(HTMLText.escape(row.client))</td><td>\(HTMLText.escape(row.streamKind))</td>"
      for state in row.states {
        let title = state.lastError.map { " title=\"\(HTMLText.escape($0))\"" } ?? ""
        html += "<td class=\"c\"><span class=\"chip \(chipClass(state.state))\"\(title)>"
        html += "\(HTMLText.escape(state.state.rawValue))</span></td>"
      }
      html +=
        "<td>\(HTMLText.escape(row.lastPush.map { age(since: $0, now: model.now) } ?? "never"))</td>"
      html += "<td>\(HTMLText.escape(age(since: row.connectedAt, now: model.now)))</td></tr>"
    }
    if model.proxies.count > maxProxyRows {
      html += "<tr><td colspan=\"9\" class=\"muted\">… \(model.proxies.count - maxProxyRows) more; "
      html += "<code>fairway proxy-status</code> lists them all.</td></tr>"
    }
    return html + "</tbody></table></section>"
  }

  static func nacks(_ model: StatusPageModel) -> String {
    var html =
      "<section class=\"card\" id=\"nacks\"><h2>NACKs <span class=\"count\">\(model.nacks.count)</span></h2>"
    guard !model.nacks.isEmpty else {
      return html + "<p class=\"empty\">No proxy has rejected its config.</p></section>"
    }
    html +=
      "<table><thead><tr><th>When</th><th>Proxy</th><th>Type</th><th>Message</th></tr></thead><tbody>"
    for nack in model.nacks.prefix(50) {
      html +=
        "<tr><td class=\"nowrap\">\(HTMLText.escape(age(since: nack.time, now: model.now)))</td>"
      html +=
        "<td class=\"mono id\" title=\"\(HTMLText.escape(nack.proxy))\">\(breakable(nack.proxy))</td>"
      html += "<td><span class=\"chip error\">\(HTMLText.escape(nack.type))</span></td>"
      html += "<td class=\"mono msg\">\(HTMLText.escape(nack.message))</td></tr>"
    }
    return html + "</tbody></table></section>"
  }

  static func pushes(_ model: StatusPageModel) -> String {
    var html = "<section class=\"card\" id=\"pushes\"><h2>Recent pushes</h2>"
    guard !model.pushes.isEmpty else {
      return html + "<p class=\"empty\">No pushes yet.</p></section>"
    }
    html +=
      "<table><thead><tr><th>When</th><th>Trigger</th><th>Types</th><th class=\"r\">Proxies</th>"
    html +=
      "<th class=\"r\">Debounce</th><th class=\"r\">Duration</th><th class=\"r\">Revision</th></tr></thead><tbody>"
    for push in model.pushes.prefix(15) {
      let triggers = push.triggers.sorted { $0.key < $1.key }.map {
        $0.value > 1 ? "\($0.key) ×\($0.value)" : $0.key
      }
      let updated = push.configsUpdated.prefix(8).joined(separator: "\n")
      html +=
        "<tr><td class=\"nowrap\" title=\"\(HTMLText.escape(push.time.formatted(.iso8601)))\">"
      html += "\(HTMLText.escape(age(since: push.time, now: model.now)))</td>"
      html +=
        "<td title=\"\(HTMLText.escape(updated))\">\(HTMLText.escape(triggers.joined(separator: ", ")))</td>"
      html +=
        "<td>\(push.types.map { "<span class=\"tag\">\(HTMLText.escape($0))</span>" }.joined(separator: " "))</td>"
      html += "<td class=\"r\">\(push.proxiesPushed)</td>"
      html += "<td class=\"r\">\(HTMLText.escape(duration(push.debounceSeconds)))</td>"
      html += "<td class=\"r\">\(HTMLText.escape(duration(push.durationSeconds)))</td>"
      html += "<td class=\"r\">\(push.revision)</td></tr>"
    }
    return html + "</tbody></table></section>"
  }

  static func configs(_ model: StatusPageModel) -> String {
    var html = "<section class=\"card\" id=\"configs\"><h2>Stored configs <span class=\"count\">"
    html += "\(model.configs.count)</span></h2>"
    guard !model.configs.isEmpty else {
      return html
        + "<p class=\"empty\">No configs. Apply some with <code>fairway apply -f FILE</code>.</p></section>"
    }
    html += "<div class=\"kinds\">"
    for kind in ConfigKind.allCases {
      let rows = model.configs.filter { $0.kind == kind }
      guard !rows.isEmpty else { continue }
      html +=
        "<div class=\"kind\"><h3>\(HTMLText.escape(kind.rawValue)) <span class=\"count\">\(rows.count)</span></h3><ul>"
      for row in rows.prefix(200) {
        let path =
          "/apis/networking.istio.io/v1/namespaces/\(HTMLText.pathSegment(row.namespace))/"
          + "\(kind.plural)/\(HTMLText.pathSegment(row.name))?format=yaml"
        html += "<li><a href=\"\(HTMLText.escape(path))\">\(HTMLText.escape(row.namespace))/"
        html += "<b>\(HTMLText.escape(row.name))</b></a>"
        if !row.summary.isEmpty {
          html += " <span class=\"muted\">\(HTMLText.escape(row.summary))</span>"
        }
        html += "</li>"
      }
      if rows.count > 200 { html += "<li class=\"muted\">… \(rows.count - 200) more</li>" }
      html += "</ul></div>"
    }
    return html + "</div></section>"
  }

  /// Escaped, with line-break opportunities after each `~` of an Istio node id, so long ids
  /// wrap between their parts rather than mid-word.
  static func breakable(_ text: String) -> String {
    text.split(separator: "~", omittingEmptySubsequences: false).map { HTMLText.escape(String($0)) }
      .joined(separator: "~<wbr>")
  }

  /// At mesh scale (thousands of sidecars) the page stays small by listing the first rows only.
  static let maxProxyRows = 300

  /// Proxies needing attention first (a NACK, then unanswered pushes), then by id.
  static func ordered(_ rows: [StatusPageModel.ProxyRow]) -> [StatusPageModel.ProxyRow] {
    func rank(_ row: StatusPageModel.ProxyRow) -> Int {
      if row.states.contains(where: { $0.state == .error }) { return 0 }
      if row.states.contains(where: { $0.state == .stale }) { return 1 }
      return 2
    }
    return rows.sorted { (rank($0), $0.id, $0.connectionID) < (rank($1), $1.id, $1.connectionID) }
  }

  static func chipClass(_ state: SyncState) -> String {
    switch state {
    case .synced: return "synced"
    case .stale: return "stale"
    case .notSent: return "notsent"
    case .error: return "error"
    }
  }

  static func age(since date: Date, now: Date) -> String {
    let seconds = max(0, Int(now.timeIntervalSince(date)))
    switch seconds {
    case ..<1: return "just now"
    case ..<120: return "\(seconds)s ago"
    case ..<7200: return "\(seconds / 60)m ago"
    case ..<172_800: return "\(seconds / 3600)h ago"
    default: return "\(seconds / 86400)d ago"
    }
  }

  static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "-" }
    if seconds < 1 { return String(format: "%.1f ms", seconds * 1000) }
    return String(format: "%.2f s", seconds)
  }

  static let head = """
    <!doctype html><html lang="en"><head><meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Fairway status</title>
    <style>
    :root{--bg:#f5f6f8;--card:#fff;--ink:#1c2430;--muted:#6b7685;--line:#e4e7ec;--accent:#0f766e}
    *{box-sizing:border-box}
    body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif}
    header{display:flex;justify-content:space-between;align-items:center;padding:14px 28px;background:#0f1f2e;color:#fff}
    .brand{display:flex;align-items:center;font-size:20px;font-weight:650;letter-spacing:.2px}.logo{margin-right:8px}
    .sub{font-size:13px;font-weight:400;color:#9fb3c8;margin-left:12px}
    .refresh{font-size:12px;color:#9fb3c8}.refresh input{vertical-align:middle}
    main{max-width:1280px;margin:0 auto;padding:20px 28px 8px}
    .tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:12px;margin-bottom:18px}
    .tile{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px;border-top:3px solid #cbd5e1}
    .tile.good{border-top-color:#16a34a}.tile.warn{border-top-color:#d97706}.tile.bad{border-top-color:#dc2626}
    .tile .value{font-size:22px;font-weight:650}.tile .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.4px}
    .card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 18px;margin-bottom:18px;overflow-x:auto}
    h2{font-size:15px;margin:0 0 10px}h3{font-size:13px;margin:4px 0 6px;color:#334155}
    .count{display:inline-block;min-width:20px;padding:0 7px;border-radius:10px;background:#eef2f6;color:var(--muted);font-size:12px;font-weight:600;text-align:center}
    table{border-collapse:collapse;width:100%}
    th{font-size:11px;text-transform:uppercase;letter-spacing:.4px;color:var(--muted);text-align:left;font-weight:600;padding:6px 10px;border-bottom:1px solid var(--line)}
    td{padding:7px 10px;border-bottom:1px solid #f0f2f5;vertical-align:top}
    tbody tr:hover{background:#fafbfc}
    .c{text-align:center}.r{text-align:right;font-variant-numeric:tabular-nums}.nowrap{white-space:nowrap}
    .mono{font-family:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,monospace;font-size:12.5px}
    .id{overflow-wrap:anywhere}.msg{color:#7f1d1d;white-space:pre-wrap;word-break:break-word}
    .chip{display:inline-block;padding:2px 8px;border-radius:999px;font-size:11px;font-weight:650;letter-spacing:.3px;white-space:nowrap}
    .synced{background:#dcfce7;color:#166534}.stale{background:#fef3c7;color:#92400e}
    .notsent{background:#eef2f6;color:#64748b}.error{background:#fee2e2;color:#991b1b}
    .tag{display:inline-block;padding:1px 6px;border-radius:4px;background:#e0f2f1;color:var(--accent);font-size:11px;font-weight:600;text-transform:uppercase}
    .kinds{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:8px 24px}
    .kind ul{list-style:none;margin:0;padding:0}.kind li{padding:3px 0;border-bottom:1px dashed #eef0f3}
    a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
    .muted{color:var(--muted);font-size:12px}.empty{color:var(--muted);margin:4px 0}
    code{background:#eef2f6;padding:1px 5px;border-radius:4px}
    footer{max-width:1280px;margin:0 auto;padding:4px 28px 24px;color:var(--muted);font-size:12px}
    </style></head>

    """

  /// Re-fetches the page and swaps `<main>`, so scroll position and the checkbox survive.
  static let script = """
    <script>
    (function(){
      var every=\(refreshSeconds)000, last=Date.now(), box=document.getElementById('auto'), label=document.getElementById('updated');
      function tick(){ label.textContent='updated '+Math.round((Date.now()-last)/1000)+'s ago'; }
      async function refresh(){
        if(!box.checked) return;
        try{
          var r=await fetch(location.pathname,{cache:'no-store'});
          if(!r.ok) throw new Error(r.status);
          var doc=new DOMParser().parseFromString(await r.text(),'text/html');
          var fresh=doc.querySelector('main');
          if(fresh){ document.querySelector('main').replaceWith(fresh); last=Date.now(); }
        }catch(e){ label.textContent='refresh failed ('+e.message+')'; return; }
        tick();
      }
      setInterval(refresh,every); setInterval(tick,1000); tick();
    })();
    </script>

    """
}
