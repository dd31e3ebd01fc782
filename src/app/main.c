/* main.c: entry point of scmmae-studio. */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "scm-application.h"
#include "util/scm-blas.h"

int
main (int argc, char *argv[])
{
  g_autoptr(ScmApplication) app = NULL;

  /* Before GTK starts: may restart the program with better BLAS kernels. */
  scm_blas_reexec_with_best_kernels (argv);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = scm_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
