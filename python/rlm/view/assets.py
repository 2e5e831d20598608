"""The page's inline style sheet and script (no network: nothing is fetched when the page opens).

The script is optional: the page is complete without it (folding is `<details>`, the chart links
are SVG `<a>`). It adds expand/collapse-all buttons and j/k to step through turns, and marks the
root element `data-viewer="ready"` so the browser tests can tell that it, and only it, ran.
"""

CSS = """
:root{--bg:#fff;--fg:#1f2328;--mute:#656d76;--line:#d0d7de;--card:#f6f8fa;--acc:#0969da;
--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--k:#cf222e;--s:#0a3069;--c:#6e7781;--n:#0550ae;
--b:#8250df;--r:#953800;--f:#6639ba;--seg0:#54aeff;--seg1:#fd8c73;--seg2:#4ac26b}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--mute:#8d96a0;--line:#30363d;
--card:#161b22;--acc:#4493f8;--ok:#3fb950;--bad:#f85149;--warn:#d29922;--k:#ff7b72;--s:#a5d6ff;
--c:#8b949e;--n:#79c0ff;--b:#d2a8ff;--r:#ffa657;--f:#d2a8ff}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1100px;padding:16px 20px 40px;background:var(--bg);color:var(--fg);
font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
h1{font-size:20px;margin:0 0 8px;white-space:pre-wrap;word-break:break-word}
h2{font-size:15px;margin:18px 0 8px}
pre{margin:0;padding:8px 10px;background:var(--card);border:1px solid var(--line);border-radius:6px;
overflow:auto;max-height:32em;font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
white-space:pre-wrap;word-break:break-word}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;
color:#fff;background:var(--mute);vertical-align:middle}
.badge.answered{background:var(--ok)}.badge.error,.badge.interrupted{background:var(--bad)}
.badge.exhausted,.badge.running{background:var(--warn)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}
dl.facts dt{color:var(--mute)}dl.facts dd{margin:0;word-break:break-word}
.answer pre{border-color:var(--ok);font-size:14px}.runerror pre{border-color:var(--bad)}
.notes{color:var(--warn)}
.charts{display:flex;flex-wrap:wrap;gap:12px}.chart{width:460px;max-width:100%;height:auto}
.chart .title{font-size:12px;font-weight:600;fill:var(--fg)}
.chart .tick{font-size:10px;fill:var(--mute)}.chart .axis{stroke:var(--line)}
.seg-0{fill:var(--seg0);background:var(--seg0)}.seg-1{fill:var(--seg1);background:var(--seg1)}
.seg-2{fill:var(--seg2);background:var(--seg2)}
figure.panel{margin:0}figcaption{font-size:11.5px;color:var(--mute);padding-left:44px}
.swatch{display:inline-block;width:9px;height:9px;margin:0 4px 0 8px;border-radius:2px}
.chart a:hover rect{opacity:.75}
.toolbar{margin:10px 0}.toolbar button{font:inherit;font-size:12px;margin-right:6px;cursor:pointer}
ol.timeline{list-style:none;padding:0;margin:0}
li.turn{border:1px solid var(--line);border-radius:8px;padding:10px 12px;margin:0 0 12px}
li.turn:target{outline:2px solid var(--acc)}
.turnhead{display:flex;flex-wrap:wrap;gap:4px 14px;align-items:baseline;margin-bottom:6px}
.turnhead b{font-size:15px}.turnhead .stat{color:var(--mute);font-size:12.5px}
.label{font-size:12px;color:var(--mute);margin:8px 0 2px}
details{margin:6px 0}summary{cursor:pointer;color:var(--mute);font-size:12.5px}
details>pre{margin-top:3px}
mark.cut{background:var(--warn);color:#fff;border-radius:3px;padding:0 3px}
ul.interventions{margin:4px 0;padding:0;list-style:none}
ul.interventions li{display:inline-block;margin:2px 6px 2px 0;padding:1px 8px;border-radius:10px;
border:1px solid var(--warn);font-size:12px}
ul.interventions li b{color:var(--warn)}
.subcall{border-left:3px solid var(--seg2);padding-left:8px;margin:6px 0}
.final pre{border-color:var(--ok)}.error pre{border-color:var(--bad)}
.k{color:var(--k)}.s{color:var(--s)}.c{color:var(--c);font-style:italic}.n{color:var(--n)}
.b{color:var(--b)}.r{color:var(--r);font-weight:600}.f{color:var(--f)}
footer{margin-top:24px;color:var(--mute);font-size:12px}
a{color:var(--acc)}table.runs{border-collapse:collapse;width:100%}
table.runs th,table.runs td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;
vertical-align:top}table.runs td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.solved td.score{color:var(--ok);font-weight:600}tr.failed td.score{color:var(--bad)}
"""

JS = """
(function(){
  var root=document.documentElement;
  function all(open){document.querySelectorAll('details').forEach(function(d){d.open=open;});}
  var bar=document.getElementById('toolbar');
  if(bar){
    var mk=function(label,open){var b=document.createElement('button');b.type='button';
      b.textContent=label;b.addEventListener('click',function(){all(open);});bar.appendChild(b);};
    mk('expand all',true);mk('collapse all',false);
  }
  var turns=Array.prototype.slice.call(document.querySelectorAll('li.turn'));
  document.addEventListener('keydown',function(e){
    if(e.target.closest&&e.target.closest('input,textarea,select'))return;
    if(e.key!=='j'&&e.key!=='k')return;
    var y=window.scrollY+8,i,next=null;
    if(e.key==='j'){for(i=0;i<turns.length;i++){if(turns[i].offsetTop>y){next=turns[i];break;}}}
    else{for(i=turns.length-1;i>=0;i--){if(turns[i].offsetTop<y-16){next=turns[i];break;}}}
    if(next){next.scrollIntoView();}
  });
  root.setAttribute('data-viewer','ready');
})();
"""
