/* ui-xtest.c: see ui-xtest.h. */
#include "config.h"

#include "ui-xtest.h"
#include "test-ui-explore-common.h"

#ifdef HAVE_XTEST
#include <gdk/x11/gdkx.h>
#include <X11/extensions/XTest.h>

static Display *
x_display (void)
{
  GdkDisplay *display = gdk_display_get_default ();
  return GDK_IS_X11_DISPLAY (display) ? gdk_x11_display_get_xdisplay (display) : NULL;
}

gboolean
ui_xtest_available (void)
{
  Display *dpy = x_display ();
  int ev, err, major, minor;
  return dpy != NULL && XTestQueryExtension (dpy, &ev, &err, &major, &minor);
}

static Window
x_window (GtkWindow *window)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  return gdk_x11_surface_get_xid (surface);
}

void
ui_xtest_focus (GtkWindow *window)
{
  Display *dpy = x_display ();
  XRaiseWindow (dpy, x_window (window));
  XSetInputFocus (dpy, x_window (window), RevertToParent, CurrentTime);
  XSync (dpy, False);
  ui_spin (0.2);   /* FocusIn reaches GDK; the window becomes active */
}

static void
fake_key (Display *dpy, KeySym sym, gboolean press)
{
  KeyCode code = XKeysymToKeycode (dpy, sym);
  g_assert_cmpint (code, !=, 0);
  XTestFakeKeyEvent (dpy, code, press, CurrentTime);
}

void
ui_xtest_key (GtkWindow *window, guint keyval, GdkModifierType mods)
{
  Display *dpy = x_display ();

  ui_xtest_focus (window);
  if (mods & GDK_CONTROL_MASK)
    fake_key (dpy, XK_Control_L, TRUE);
  if (mods & GDK_SHIFT_MASK)
    fake_key (dpy, XK_Shift_L, TRUE);
  /* GDK keyvals are X keysyms for the keys tests use (letters, Escape). */
  fake_key (dpy, keyval, TRUE);
  fake_key (dpy, keyval, FALSE);
  if (mods & GDK_SHIFT_MASK)
    fake_key (dpy, XK_Shift_L, FALSE);
  if (mods & GDK_CONTROL_MASK)
    fake_key (dpy, XK_Control_L, FALSE);
  XSync (dpy, False);
  ui_spin (0.3);
}

void
ui_xtest_move_pointer (GtkWidget *widget, double x, double y)
{
  Display *dpy = x_display ();
  GtkNative *native = gtk_widget_get_native (widget);
  graphene_point_t p = GRAPHENE_POINT_INIT ((float) x, (float) y), q;
  double sx, sy;
  int rx, ry;
  Window child;

  /* widget -> native widget -> surface (CSD shadow offset) -> root window. */
  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native), &p, &q));
  gtk_native_get_surface_transform (native, &sx, &sy);
  XTranslateCoordinates (dpy, x_window (GTK_WINDOW (native)), DefaultRootWindow (dpy),
                         (int) (q.x + sx), (int) (q.y + sy), &rx, &ry, &child);
  XTestFakeMotionEvent (dpy, -1, rx, ry, CurrentTime);
  XSync (dpy, False);
  ui_spin (0.1);
}

#else

gboolean ui_xtest_available (void) { return FALSE; }
void ui_xtest_focus (GtkWindow *window) { g_assert_not_reached (); }
void ui_xtest_key (GtkWindow *window, guint keyval, GdkModifierType mods) { g_assert_not_reached (); }
void ui_xtest_move_pointer (GtkWidget *widget, double x, double y) { g_assert_not_reached (); }

#endif
