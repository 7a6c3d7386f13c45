"""`GET /widget/kefu-widget.js`: the widget a shop adds to its pages with one script tag."""

from __future__ import annotations

from aiohttp import web

from crm_backend.core.state import CONFIG_KEY

NOT_BUILT = ('console.error("Kefu 客服小部件尚未构建：请在项目目录运行 make setup（需要 Node.js 20）。");'
             "\n")


async def widget_script(request: web.Request) -> web.StreamResponse:
    """The built script (revalidated on every load, so a rebuild reaches pages at once); a 503
    whose script says what to run when set-up has not built it."""
    path = request.app[CONFIG_KEY].widget_script
    if not path.is_file():
        return web.Response(status=503, text=NOT_BUILT, content_type="application/javascript")
    return web.FileResponse(path, headers={
        "Content-Type": "application/javascript; charset=utf-8",
        "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff",
    })


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's routes."""
    router.add_get("/widget/kefu-widget.js", widget_script)
