/* viz_window: the SDL2 face of viz_app: a resizable, HiDPI-aware, vsynced
 * window; each frame is drawn by cairo into an image surface the size of
 * the drawable (in device pixels) and uploaded to a streaming texture.
 *
 * Invariant: the cairo surface always matches the drawable size, and cairo
 * user space is the window's logical size (points), so text is rasterised
 * at device resolution and stays crisp on HiDPI screens and projectors. */
#include "viz/viz_app.h"

#include <stdio.h>
#include <string.h>
#include <SDL.h>
#include "sim/sim_error.h"

typedef struct window {
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Texture *tex;
    cairo_surface_t *surf;
    int pw, ph;            /* drawable, device pixels */
    int lw, lh;            /* window, logical points */
} window;

static gboolean fail_sdl(GError **error, const char *what)
{
    g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: %s (is there a display? try --headless)", what, SDL_GetError());
    return FALSE;
}

/* (Re)creates the texture and surface when the drawable changed size. */
static gboolean fit_buffers(window *w, GError **error)
{
    int pw, ph, lw, lh;
    SDL_GetRendererOutputSize(w->ren, &pw, &ph);
    SDL_GetWindowSize(w->win, &lw, &lh);
    if (pw < 1) pw = 1;
    if (ph < 1) ph = 1;
    if (w->tex && pw == w->pw && ph == w->ph && lw == w->lw && lh == w->lh) return TRUE;
    if (w->tex) SDL_DestroyTexture(w->tex);
    if (w->surf) cairo_surface_destroy(w->surf);
    w->tex = SDL_CreateTexture(w->ren, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STREAMING, pw, ph);
    if (!w->tex) return fail_sdl(error, "SDL_CreateTexture");
    w->surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, pw, ph);
    w->pw = pw; w->ph = ph; w->lw = lw > 0 ? lw : pw; w->lh = lh > 0 ? lh : ph;
    return TRUE;
}

static int map_key(const SDL_Keysym *k)
{
    switch (k->sym) {
    case SDLK_SPACE: return ' ';
    case SDLK_RIGHT: return VIZ_KEY_RIGHT;
    case SDLK_LEFT: return VIZ_KEY_LEFT;
    case SDLK_UP: return VIZ_KEY_UP;
    case SDLK_DOWN: return VIZ_KEY_DOWN;
    case SDLK_RETURN: case SDLK_KP_ENTER: return VIZ_KEY_ENTER;
    case SDLK_ESCAPE: return 27;
    case SDLK_PLUS: case SDLK_KP_PLUS: case SDLK_EQUALS: return '+';
    case SDLK_MINUS: case SDLK_KP_MINUS: return '-';
    case SDLK_KP_1: return '1';
    case SDLK_KP_2: return '2';
    case SDLK_KP_3: return '3';
    case SDLK_KP_4: return '4';
    default: break;
    }
    if (k->sym >= 32 && k->sym < 127) return g_ascii_tolower((int)k->sym);
    return 0;
}

/* Window points -> the app's logical canvas (equal unless SDL scales). */
static void to_logical(const window *w, int x, int y, double *lx, double *ly)
{
    *lx = x;
    *ly = y;
    (void)w;
}

static void handle_event(viz_app *a, window *w, const SDL_Event *ev)
{
    double x, y;
    switch (ev->type) {
    case SDL_QUIT: viz_app_key(a, 'q'); break;
    case SDL_KEYDOWN: {
        int k = map_key(&ev->key.keysym);
        if (k) viz_app_key(a, k);
        break;
    }
    case SDL_MOUSEMOTION:
        to_logical(w, ev->motion.x, ev->motion.y, &x, &y);
        viz_app_motion(a, x, y);
        break;
    case SDL_MOUSEBUTTONDOWN:
        if (ev->button.button == SDL_BUTTON_LEFT) {
            to_logical(w, ev->button.x, ev->button.y, &x, &y);
            viz_app_click(a, x, y);
        }
        break;
    case SDL_WINDOWEVENT:
        if (ev->window.event == SDL_WINDOWEVENT_LEAVE) viz_app_motion(a, -1, -1);
        break;
    default: break;
    }
}

static void present(viz_app *a, window *w)
{
    cairo_t *cr = cairo_create(w->surf);
    cairo_scale(cr, (double)w->pw / w->lw, (double)w->ph / w->lh);
    viz_app_draw(a, cr);
    cairo_destroy(cr);
    cairo_surface_flush(w->surf);
    SDL_UpdateTexture(w->tex, NULL, cairo_image_surface_get_data(w->surf), cairo_image_surface_get_stride(w->surf));
    SDL_RenderClear(w->ren);
    SDL_RenderCopy(w->ren, w->tex, NULL, NULL);
    SDL_RenderPresent(w->ren);
}

static void close_window(window *w)
{
    if (w->surf) cairo_surface_destroy(w->surf);
    if (w->tex) SDL_DestroyTexture(w->tex);
    if (w->ren) SDL_DestroyRenderer(w->ren);
    if (w->win) SDL_DestroyWindow(w->win);
    SDL_Quit();
}

static gboolean open_window(const viz_options *o, window *w, GError **error)
{
    SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
    if (SDL_Init(SDL_INIT_VIDEO) != 0) return fail_sdl(error, "SDL_Init");
    /* Without a display SDL may fall back to a driver nobody can see: a
     * window that would run unseen until killed is an error, unless the
     * user chose that driver on purpose (SDL_VIDEODRIVER). */
    const char *drv = SDL_GetCurrentVideoDriver();
    if (drv && (!strcmp(drv, "offscreen") || !strcmp(drv, "dummy") || !strcmp(drv, "evdev"))) {
        if (!g_getenv("SDL_VIDEODRIVER")) {
            g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "no display (SDL fell back to its '%s' driver): "
                        "run it on a desktop or under xvfb-run, or use --headless to render frames", drv);
            return FALSE;
        }
        fprintf(stderr, "slacksim viz: SDL video driver '%s': nothing will be visible\n", drv);
    }
    Uint32 flags = SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI;
    if (o->fullscreen) flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    w->win = SDL_CreateWindow("slacksim \u2014 Design Slack visualizer", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                              o->width, o->height, flags);
    if (!w->win) return fail_sdl(error, "SDL_CreateWindow");
    SDL_SetWindowMinimumSize(w->win, 640, 400);
    w->ren = SDL_CreateRenderer(w->win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    if (!w->ren) w->ren = SDL_CreateRenderer(w->win, -1, SDL_RENDERER_SOFTWARE);
    if (!w->ren) return fail_sdl(error, "SDL_CreateRenderer");
    return fit_buffers(w, error);
}

gboolean viz_window_run(const viz_options *o, GError **error)
{
    viz_app *a = viz_app_new(o, error);
    if (!a) return FALSE;
    window w = { 0 };
    gboolean ok = open_window(o, &w, error);
    gboolean fullscreen = o->fullscreen;
    Uint64 freq = SDL_GetPerformanceFrequency(), last = SDL_GetPerformanceCounter();
    double elapsed = 0;
    while (ok && !viz_app_quit_requested(a)) {
        SDL_Event ev;
        while (SDL_PollEvent(&ev)) handle_event(a, &w, &ev);
        if (viz_app_take_fullscreen_toggle(a)) {
            fullscreen = !fullscreen;
            SDL_SetWindowFullscreen(w.win, fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
        }
        Uint64 now = SDL_GetPerformanceCounter();
        /* Wall dt, capped so a stalled frame (window drag, debugger) does
         * not jump the simulation. */
        double dt = (double)(now - last) / (double)freq;
        last = now;
        if (dt > 0.1) dt = 0.1;
        elapsed += dt;
        ok = fit_buffers(&w, error);
        if (!ok) break;
        viz_app_resize(a, w.lw, w.lh);
        viz_app_tick(a, dt);
        present(a, &w);
        char *shot = viz_app_take_screenshot_request(a);
        if (shot) {
            GError *e = NULL;
            if (viz_app_write(a, shot, &e)) {
                char *msg = g_strdup_printf("saved %s", shot);
                viz_app_toast(a, msg);
                g_free(msg);
            } else {
                viz_app_toast(a, e->message);
                g_error_free(e);
            }
            g_free(shot);
        }
        if (o->quit_after > 0 && elapsed >= o->quit_after) break;
        /* Without vsync (some virtual displays) do not spin a core. */
        double spent = (double)(SDL_GetPerformanceCounter() - now) / (double)freq;
        if (spent < 1.0 / 120) SDL_Delay((Uint32)((1.0 / 120 - spent) * 1000));
    }
    if (ok && o->screenshot) ok = viz_app_write(a, o->screenshot, error);
    if (o->print_state) viz_app_print_state(a, stdout);
    close_window(&w);
    viz_app_free(a);
    return ok;
}
