/* ui-xtest.h: real input for UI tests under Xvfb.
 *
 * GTK 4 has no API to synthesise events, so these go one level down: the
 * XTest extension asks the X server to generate key presses and pointer
 * motion, which then reach GDK exactly as a user's would (focus, shortcut
 * controllers, tooltips).  Only on an X11 display with XTest; tests call
 * ui_xtest_available() and skip otherwise (Wayland, or built without
 * libXtst).
 */
#pragma once

#include <gtk/gtk.h>

gboolean ui_xtest_available    (void);
/* Gives window the X input focus (Xvfb has no window manager to do it). */
void     ui_xtest_focus        (GtkWindow *window);
/* Presses and releases keyval with the Control/Shift modifiers in mods,
 * then runs the main loop until the events were handled. */
void     ui_xtest_key          (GtkWindow *window, guint keyval, GdkModifierType mods);
/* Moves the pointer to (x, y) in widget's coordinates. */
void     ui_xtest_move_pointer (GtkWidget *widget, double x, double y);
