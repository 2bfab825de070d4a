"""`GET /t/snippet.js`: the script a brand adds to its shop, so an order carries the click that brought it.

On a page opened from a vanity link (`?stclid=...`) it keeps the click id in a first-party cookie `stclid`
for the attribution window (`data-days` on the script tag, else DEFAULT_WINDOW_DAYS; SameSite=Lax, Secure
on https). On every page it then:
- on Shopify (`window.Shopify`, or `data-platform="shopify"`), puts the id in the cart's attributes with
  POST /cart/update.js, once per id and browser session, so the order's `note_attributes` carry it to the
  `orders/create` webhook;
- fills every `<input name="stclid">` with it, for a plain checkout form;
- answers `window.starling.clickId()` for a checkout written in JavaScript.

It is the same for every brand (no slug, no request-time data), so browsers and CDNs may keep it a day.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from starling.api.openapi import CapabilityRouter
from starling.conversions.attribution import DEFAULT_WINDOW_DAYS

router = CapabilityRouter("Conversions")
MAX_BYTES = 2048
CACHE_SECONDS = 86400

SNIPPET = (
    """/* Starling: keeps the stclid of a partner's link for checkout. */
(function(w,d){var s=d.currentScript,a=function(n){return s&&s.getAttribute(n)},
D=Math.min(365,Math.max(1,parseInt(a("data-days"),10)||__DAYS__)),K="stclid",
ok=function(v){return !!v&&/^[!-~]{1,400}$/.test(v)},
read=function(){var m=d.cookie.match(/(?:^|; )stclid=([^;]*)/);
try{return m?decodeURIComponent(m[1]):null}catch(e){return null}};
var q=w.location.search.match(/[?&]stclid=([^&#]*)/),v=null;
try{v=q?decodeURIComponent(q[1].replace(/\\+/g," ")):null}catch(e){}
if(ok(v)){d.cookie=K+"="+encodeURIComponent(v)+"; Max-Age="+D*86400+"; Path=/; SameSite=Lax"+
(w.location.protocol=="https:"?"; Secure":"")}
var id=read();if(!ok(id))id=null;
w.starling={clickId:function(){var c=read();return ok(c)?c:null}};
function fill(){if(!id)return;var f=d.querySelectorAll('input[name="stclid"]');
for(var i=0;i<f.length;i++)f[i].value=id}
function cart(){if(!id||!(w.Shopify||a("data-platform")=="shopify"))return;
var ss=null;try{ss=w.sessionStorage;if(ss.getItem("stclid_cart")==id)return}catch(e){}
w.fetch("/cart/update.js",{method:"POST",credentials:"same-origin",
headers:{"Content-Type":"application/json"},body:JSON.stringify({attributes:{stclid:id}})})
.then(function(r){if(r.ok&&ss)ss.setItem("stclid_cart",id)},function(){})}
cart();if(d.readyState=="loading")d.addEventListener("DOMContentLoaded",fill);else fill()
})(window,document);
"""
).replace("__DAYS__", str(DEFAULT_WINDOW_DAYS))


@router.get(
    "/t/snippet.js",
    summary="The shop's script: keeps stclid in a first-party cookie and the cart's attributes",
    responses={
        200: {
            "description": "JavaScript, the same for every brand; cacheable for a day",
            "content": {"application/javascript": {"schema": {"type": "string"}}},
        }
    },
)
def handle_snippet() -> Response[str]:
    return Response(
        status_code=200,
        content_type="application/javascript; charset=utf-8",
        body=SNIPPET,
        headers={
            "Cache-Control": f"public, max-age={CACHE_SECONDS}",
            "X-Content-Type-Options": "nosniff",
            "Access-Control-Allow-Origin": "*",
        },
    )
