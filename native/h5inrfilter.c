/* inrfilter HDF5 filter plugin (the C part of a cffi embedding module).
 *
 * HDF5 opens every library in a plugin folder while it looks for a filter, so
 * what HDF5 calls for any filter is pure C and never starts Python:
 * H5PLget_plugin_type, H5PLget_plugin_info, can_apply.  set_local (run only when a
 * dataset using this filter is created) checks the settings through
 * inrfilter_py_check, and the filter callback runs through inrfilter_py_filter
 * (embedding_api functions, implemented in Python by native/build.py's init code).
 *
 * This library is not linked to libhdf5: processes hold different ones (h5py's
 * wheel bundles a private copy; h5dump links the system's), and a call into the
 * wrong one corrupts both.  Each callback looks up the library that called it
 * (dladdr on its return address, then dlopen(RTLD_NOLOAD) + dlsym); an explicit
 * path given to inrfilter_h5_init, then the global scope, are the fallbacks.
 *
 * Built by native/build.py, which defines the INRFILTER_* macros from
 * inrfilter/h5/plugin.py and from the Python the package was installed for.
 */

#include <dlfcn.h>
#include <execinfo.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Only the HDF5 headers shipped in native/hdf5-include (see its README.md): the
   filter-interface types, not hdf5.h.  Python.h comes first through cffi. */
#include "H5public.h"
#include "H5Epublic.h"
#include "H5PLpublic.h"
#include "H5Tpublic.h"
#include "H5Zpublic.h"

#if !defined(INRFILTER_FILTER_ID) || !defined(INRFILTER_PYTHON) || !defined(INRFILTER_BASE_PYTHON) || \
    !defined(INRFILTER_LIBPYTHON)
#error "build this file with native/build.py: it defines the INRFILTER_* macros"
#endif

#define ERROR_LEN 2048
#define MAX_CALLERS 8

/* The Python side (embedding_api in build.py): 1 on success, 0 on failure with a
   message in `error`.  cffi returns 0 if Python could not start. */
int inrfilter_py_check(size_t cd_nelmts, const unsigned int *cd_values, char *error, size_t error_len);
int inrfilter_py_filter(int reverse, int closing, size_t cd_nelmts, const unsigned int *cd_values, const void *data,
                        size_t nbytes, void **out, size_t *out_nbytes, char *error, size_t error_len);

/* ---- the HDF5 API of the calling library -------------------------------------- */

/* The property-list functions, declared here rather than through H5Ppublic.h (which
   would pull in all of hdf5.h).  Their signatures are the same in HDF5 1.10 to 2.x. */
typedef int (*H5Pget_chunk_fn)(hid_t plist_id, int max_ndims, hsize_t dim[]);
typedef herr_t (*H5Pget_filter_by_id2_fn)(hid_t plist_id, H5Z_filter_t filter_id, unsigned int *flags,
                                          size_t *cd_nelmts, unsigned cd_values[], size_t namelen, char name[],
                                          unsigned *filter_config);
typedef herr_t (*H5Pmodify_filter_fn)(hid_t plist_id, H5Z_filter_t filter, unsigned int flags, size_t cd_nelmts,
                                      const unsigned int cd_values[]);

typedef struct {
    const void *base; /* load address of the library the functions come from */
    __typeof__(H5Tget_class) *Tget_class;
    __typeof__(H5Tget_size) *Tget_size;
    __typeof__(H5Tget_order) *Tget_order;
    __typeof__(H5Tget_sign) *Tget_sign;
    __typeof__(H5Tget_precision) *Tget_precision;
    __typeof__(H5Tget_offset) *Tget_offset;
    __typeof__(H5Tget_fields) *Tget_fields;
    H5Pget_chunk_fn Pget_chunk;
    H5Pget_filter_by_id2_fn Pget_filter_by_id2;
    H5Pmodify_filter_fn Pmodify_filter;
    __typeof__(H5Epush2) *Epush2;
    hid_t *E_ERR_CLS, *E_PLINE, *E_CALLBACK, *E_CANAPPLY, *E_SETLOCAL;
} h5api;

static h5api callers[MAX_CALLERS];
static int n_callers;
static h5api fallback;
static int have_fallback;
static pthread_mutex_t api_lock = PTHREAD_MUTEX_INITIALIZER;

static int load_api(void *handle, h5api *api)
{
#define SYM(field, name) (api->field = (__typeof__(api->field))dlsym(handle, name)) != NULL
    return SYM(Tget_class, "H5Tget_class") && SYM(Tget_size, "H5Tget_size") && SYM(Tget_order, "H5Tget_order") &&
           SYM(Tget_sign, "H5Tget_sign") && SYM(Tget_precision, "H5Tget_precision") &&
           SYM(Tget_offset, "H5Tget_offset") && SYM(Tget_fields, "H5Tget_fields") &&
           SYM(Pget_chunk, "H5Pget_chunk") && SYM(Pget_filter_by_id2, "H5Pget_filter_by_id2") &&
           SYM(Pmodify_filter, "H5Pmodify_filter") && SYM(Epush2, "H5Epush2") &&
           SYM(E_ERR_CLS, "H5E_ERR_CLS_g") && SYM(E_PLINE, "H5E_PLINE_g") && SYM(E_CALLBACK, "H5E_CALLBACK_g") &&
           SYM(E_CANAPPLY, "H5E_CANAPPLY_g") && SYM(E_SETLOCAL, "H5E_SETLOCAL_g");
#undef SYM
}

/* The HDF5 API of the library whose code is at `caller`, or NULL. */
static const h5api *api_for(const void *caller)
{
    const h5api *found = NULL;
    Dl_info info;
    pthread_mutex_lock(&api_lock);
    if (caller != NULL && dladdr(caller, &info) && info.dli_fbase != NULL) {
        for (int i = 0; i < n_callers && found == NULL; i++)
            if (callers[i].base == info.dli_fbase)
                found = &callers[i];
        if (found == NULL && n_callers < MAX_CALLERS) {
            void *handle = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
            h5api api;
            if (handle != NULL && load_api(handle, &api)) {
                api.base = info.dli_fbase;
                callers[n_callers] = api;
                found = &callers[n_callers++];
            }
        }
    }
    if (found == NULL && !have_fallback && load_api(RTLD_DEFAULT, &fallback))
        have_fallback = 1;
    if (found == NULL && have_fallback)
        found = &fallback;
    pthread_mutex_unlock(&api_lock);
    return found;
}

/* hdf5plugin's convention: given a library (or an extension module linked to one,
   e.g. h5py.h5z), use its HDF5 API when the caller's cannot be found.  0 if usable. */
__attribute__((visibility("default"))) int inrfilter_h5_init(const char *libhdf5_path)
{
    void *handle = dlopen(libhdf5_path, RTLD_LAZY | RTLD_LOCAL);
    h5api api;
    if (handle == NULL || !load_api(handle, &api))
        return -1;
    pthread_mutex_lock(&api_lock);
    fallback = api;
    have_fallback = 1;
    pthread_mutex_unlock(&api_lock);
    return 0;
}

static void push_error(const h5api *api, hid_t minor, const char *func, const char *fmt, ...)
{
    char message[ERROR_LEN];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    if (api == NULL) { /* no HDF5 to report to: stderr is all there is */
        fprintf(stderr, "inrfilter HDF5 plugin: %s\n", message);
        return;
    }
    api->Epush2(H5E_DEFAULT, __FILE__, func, __LINE__, *api->E_ERR_CLS, *api->E_PLINE, minor, "%s", message);
}

/* ---- can_apply and set_local ---------------------------------------------------- */

static pthread_once_t python_once = PTHREAD_ONCE_INIT;
static char python_error[ERROR_LEN];
static void start_python(void);

static const char *class_name(H5T_class_t cls)
{
    static const char *names[] = {"integer", "float", "time", "string", "bitfield", "opaque",
                                  "compound", "reference", "enum", "variable-length", "array", "complex"};
    return cls >= 0 && (size_t)cls < sizeof names / sizeof *names ? names[cls] : "unknown";
}

/* The dataset's element type as cd_values' (kind, size, order); 0 if unsupported. */
static int describe_type(const h5api *api, hid_t type, unsigned *kind, unsigned *size, unsigned *order,
                         char *why, size_t why_len)
{
    H5T_class_t cls = api->Tget_class(type);
    size_t sz = api->Tget_size(type);
    if ((cls != H5T_INTEGER && cls != H5T_FLOAT) || !(sz == 1 || sz == 2 || sz == 4 || sz == 8) ||
        (cls == H5T_FLOAT && sz == 1)) {
        snprintf(why, why_len, "a %zu-byte %s type", sz, class_name(cls));
        return 0;
    }
    if (api->Tget_precision(type) != 8 * sz || api->Tget_offset(type) != 0) {
        snprintf(why, why_len, "a %zu-byte %s type with padding bits", sz, class_name(cls));
        return 0;
    }
    H5T_order_t ord = api->Tget_order(type);
    if (sz > 1 && ord != H5T_ORDER_LE && ord != H5T_ORDER_BE) {
        snprintf(why, why_len, "a %zu-byte %s type of mixed byte order", sz, class_name(cls));
        return 0;
    }
    if (cls == H5T_INTEGER) {
        *kind = api->Tget_sign(type) == H5T_SGN_2 ? 0 : 1;
    } else {
        size_t spos, epos, esize, mpos, msize;
        static const size_t ieee[3][5] = {{15, 10, 5, 0, 10}, {31, 23, 8, 0, 23}, {63, 52, 11, 0, 52}};
        const size_t *want = ieee[sz == 2 ? 0 : sz == 4 ? 1 : 2];
        if (api->Tget_fields(type, &spos, &epos, &esize, &mpos, &msize) < 0 || spos != want[0] ||
            epos != want[1] || esize != want[2] || mpos != want[3] || msize != want[4]) {
            snprintf(why, why_len, "a %zu-byte float that is not IEEE 754", sz);
            return 0;
        }
        *kind = 2;
    }
    *size = (unsigned)sz;
    *order = sz > 1 && ord == H5T_ORDER_BE;
    return 1;
}

static htri_t inr_can_apply(hid_t dcpl, hid_t type, hid_t space)
{
    const h5api *api = api_for(__builtin_return_address(0));
    unsigned kind, size, order;
    char why[256];
    (void)space;
    if (api == NULL) {
        push_error(NULL, 0, __func__, "cannot find the HDF5 library that called the filter");
        return -1;
    }
    if (!describe_type(api, type, &kind, &size, &order, why, sizeof why)) {
        /* Negative, not 0: h5py adds filters as optional, and HDF5 ignores a 0 from
           can_apply for optional filters. */
        push_error(api, *api->E_CANAPPLY, __func__,
                   "inrfilter compresses float16/32/64 and 8-64 bit integers; this dataset has %s", why);
        return -1;
    }
    int rank = api->Pget_chunk(dcpl, 0, NULL);
    if (rank < 1 || rank > INRFILTER_MAX_NDIM) {
        push_error(api, *api->E_CANAPPLY, __func__, "inrfilter compresses chunks of 1 to %d dimensions; got %d",
                   INRFILTER_MAX_NDIM, rank);
        return -1;
    }
    return 1;
}

/* Length of the user part of cd_values (fixed fields + method section), or -1. */
static long user_length(const unsigned *cd, size_t n)
{
    if (n == 0)
        return 0;
    if (cd[0] != INRFILTER_CD_VERSION || n < INRFILTER_CD_FIXED)
        return -1;
    size_t len = INRFILTER_CD_FIXED + (cd[INRFILTER_CD_FIXED - 1] + 3u) / 4u;
    return len <= n ? (long)len : -1;
}

static herr_t inr_set_local(hid_t dcpl, hid_t type, hid_t space)
{
    const h5api *api = api_for(__builtin_return_address(0));
    unsigned cd[INRFILTER_CD_MAX], flags = 0, kind, size, order;
    size_t n = INRFILTER_CD_MAX;
    hsize_t dims[32];
    char why[256], why_long[ERROR_LEN] = "";
    (void)space;
    if (api == NULL) {
        push_error(NULL, 0, __func__, "cannot find the HDF5 library that called the filter");
        return -1;
    }
    if (api->Pget_filter_by_id2(dcpl, INRFILTER_FILTER_ID, &flags, &n, cd, 0, NULL, NULL) < 0)
        return -1;
    long user = n <= INRFILTER_CD_MAX ? user_length(cd, n) : -1;
    if (user < 0) {
        push_error(api, *api->E_SETLOCAL, __func__,
                   "inrfilter: cd_values (%zu of them) are not layout version %d (inrfilter cd-values writes them)",
                   n, INRFILTER_CD_VERSION);
        return -1;
    }
    if (user == 0) { /* no options: the defaults, spelled out */
        memset(cd, 0, INRFILTER_CD_FIXED * sizeof *cd);
        cd[0] = INRFILTER_CD_VERSION;
        user = INRFILTER_CD_FIXED;
    }
    int rank = api->Pget_chunk(dcpl, 32, dims);
    if (!describe_type(api, type, &kind, &size, &order, why, sizeof why) || rank < 1 ||
        rank > INRFILTER_MAX_NDIM || user + 4 + rank > INRFILTER_CD_MAX) {
        push_error(api, *api->E_SETLOCAL, __func__, "inrfilter: unsupported datatype or chunk rank %d", rank);
        return -1;
    }
    /* Replace, not append: a dcpl copied from an existing dataset already has them. */
    size_t at = (size_t)user;
    cd[at++] = kind;
    cd[at++] = size;
    cd[at++] = order;
    cd[at++] = (unsigned)rank;
    for (int i = 0; i < rank; i++)
        cd[at++] = (unsigned)dims[i];
    /* Everything else only Python can check (the settings, the method's options, an
       explicit ratio against the chunk size): a bad setting fails here, at dataset
       creation, not at a flush (a filter failure while HDF5 closes a dataset can
       corrupt its state).  set_local runs only for datasets that use this filter. */
    pthread_once(&python_once, start_python);
    if (python_error[0] != '\0' || !Py_IsInitialized()) {
        push_error(api, *api->E_SETLOCAL, __func__, "%s",
                   python_error[0] ? python_error : "inrfilter: Python has shut down");
        return -1;
    }
    if (!inrfilter_py_check(at, cd, why_long, sizeof why_long)) {
        push_error(api, *api->E_SETLOCAL, __func__, "%s",
                   why_long[0] ? why_long : "inrfilter: the settings check failed (see stderr)");
        return -1;
    }
    /* Mandatory: with H5Z_FLAG_OPTIONAL (h5py's choice) HDF5 stores a chunk raw,
       silently, when the encoder fails. */
    return api->Pmodify_filter(dcpl, INRFILTER_FILTER_ID, flags & ~H5Z_FLAG_OPTIONAL, at, cd);
}

/* ---- Python -------------------------------------------------------------------- */

static char python_program[1024] = "the running interpreter";

static char plugin_site[4096];

/* The folder holding this library's package, i.e. the site-packages it is installed
   in (or the source tree of an editable install): the library is
   <site>/inrfilter/plugins/libh5inrfilter.so.  "" if unknown.  Python's init code
   (native/build.py) adds it to sys.path when inrfilter is not importable otherwise. */
const char *inrfilter_plugin_site(void)
{
    Dl_info info;
    if (plugin_site[0] == '\0' && dladdr((void *)&inrfilter_plugin_site, &info) && info.dli_fname != NULL &&
        strlen(info.dli_fname) < sizeof plugin_site) {
        char path[sizeof plugin_site];
        strcpy(path, info.dli_fname);
        for (int up = 0; up < 3; up++) { /* drop the file name, plugins/, inrfilter/ */
            char *slash = strrchr(path, '/');
            if (slash == NULL)
                return plugin_site;
            *slash = '\0';
        }
        strcpy(plugin_site, path[0] ? path : "/");
    }
    return plugin_site;
}

/* The venv holding `site` (a folder up to 4 levels above with a pyvenv.cfg and a
   bin/python3), written to `program`; 0 if none. */
static int venv_python(const char *site, char *program, size_t len)
{
    char dir[sizeof plugin_site], probe[sizeof plugin_site + 32];
    snprintf(dir, sizeof dir, "%s", site);
    for (int up = 0; up < 5 && dir[0] != '\0'; up++) {
        snprintf(probe, sizeof probe, "%s/pyvenv.cfg", dir);
        if (access(probe, R_OK) == 0) {
            snprintf(probe, sizeof probe, "%s/bin/python3", dir);
            if (access(probe, X_OK) == 0 && strlen(probe) < len) {
                strcpy(program, probe);
                return 1;
            }
        }
        char *slash = strrchr(dir, '/');
        if (slash == NULL)
            break;
        *slash = '\0';
    }
    return 0;
}

/* Start Python in a process that has none (h5dump, a C program) as an interpreter
   that sees inrfilter's site-packages: $INRFILTER_PYTHON, else the venv this library
   is installed in, else the interpreter that built it (or that one's base
   interpreter: a wheel is built in a throw-away venv).  Inside an existing
   interpreter (h5py) nothing is configured. */
static int preinitialise_python(void)
{
    const char *program = getenv("INRFILTER_PYTHON");
    char found[sizeof plugin_site + 32];
    PyConfig config;
    PyStatus status;
    if (program == NULL || program[0] == '\0') {
        if (venv_python(inrfilter_plugin_site(), found, sizeof found))
            program = found;
        else if (access(INRFILTER_PYTHON, X_OK) == 0)
            program = INRFILTER_PYTHON;
        else
            program = INRFILTER_BASE_PYTHON;
    }
    snprintf(python_program, sizeof python_program, "%.1000s", program);
    PyConfig_InitPythonConfig(&config);
    config.install_signal_handlers = 0; /* the host program owns its signals */
    config.parse_argv = 0;
    status = PyConfig_SetBytesString(&config, &config.program_name, program);
    if (!PyStatus_Exception(status))
        status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status)) {
        snprintf(python_error, sizeof python_error, "inrfilter: cannot start Python as %s: %s", program,
                 status.err_msg ? status.err_msg : "unknown error");
        return 0;
    }
    PyEval_SaveThread(); /* cffi expects an initialised Python whose GIL nobody holds */
    return 1;
}

static void start_python(void)
{
    /* HDF5 opens plugins RTLD_LOCAL, so the libpython this library depends on is
       invisible to the extension modules Python imports (_cffi_backend, numpy):
       make it global first.  A Python linked statically into the executable
       already exports its symbols, and then no libpython is loaded at all. */
    if (dlopen(INRFILTER_LIBPYTHON, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD) == NULL)
        dlopen(INRFILTER_LIBPYTHON_SONAME, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
    if (!Py_IsInitialized() && !preinitialise_python())
        return;
    /* cffi's start-up lock on Python < 3.12 is PyCapsule_Type.tp_version_tag, which it
       expects to be 0.  Python tags the type as soon as an attribute of a capsule is
       looked up (numpy and torch do), and cffi would then spin forever.  Invalidating
       the type's lookup cache resets the tag; holding the GIL until cffi is done, no
       other thread can set it again.  (pthread_once lets one thread at a time here.) */
    PyGILState_STATE gil = PyGILState_Ensure();
#if PY_VERSION_HEX < 0x030C0000
    PyType_Modified(&PyCapsule_Type);
#endif
    int failed = cffi_start_python() != 0;
    PyGILState_Release(gil);
    if (failed)
        snprintf(python_error, sizeof python_error,
                 "inrfilter: the plugin's Python side did not start (traceback above); is inrfilter "
                 "installed for %.700s (or in %.700s)?", python_program, inrfilter_plugin_site());
}

/* ---- the filter ---------------------------------------------------------------- */

/* Whether HDF5 calls the filter while it closes a dataset or a file.  A filter that
   fails there leaves HDF5's dataset state corrupt, and the process segfaults later
   (HDF5 2.x, HDF5 issue #6601), so the Python side then keeps the chunk losslessly
   and records the failure instead of failing.  Found by the exported names of the
   frames on the stack (a stripped library shows none: then 0, the plain failure). */
static int closing_now(void)
{
    static const char *const closers[] = {"H5D_close", "H5F__dest", "H5F_try_close", "H5F__close",
                                          "H5F_close", "H5D__close_cb"};
    void *frames[96];
    int n = backtrace(frames, (int)(sizeof frames / sizeof *frames));
    for (int i = 0; i < n; i++) {
        Dl_info info;
        if (!dladdr(frames[i], &info) || info.dli_sname == NULL)
            continue;
        for (size_t k = 0; k < sizeof closers / sizeof *closers; k++)
            if (strcmp(info.dli_sname, closers[k]) == 0)
                return 1;
    }
    return 0;
}

static size_t inr_filter(unsigned flags, size_t cd_nelmts, const unsigned cd_values[], size_t nbytes,
                         size_t *buf_size, void **buf)
{
    const h5api *api = api_for(__builtin_return_address(0));
    const int reverse = (flags & H5Z_FLAG_REVERSE) != 0;
    char error[ERROR_LEN] = "";
    void *out = NULL;
    size_t out_nbytes = 0;

    pthread_once(&python_once, start_python);
    if (python_error[0] != '\0') {
        static int told;
        if (!told) { /* no Python to log it, and HDF5 2.0 drops errors a filter pushes */
            told = 1;
            fprintf(stderr, "%s\n", python_error);
        }
        push_error(api, api ? *api->E_CALLBACK : 0, __func__, "%s", python_error);
        return 0;
    }
    if (!Py_IsInitialized()) {
        /* HDF5 flushes open files from its exit handler, after the host program's
           Python has finalised: calling into it now would abort the process. */
        fprintf(stderr, "inrfilter: a chunk reached the filter after Python shut down; close HDF5 files "
                        "before the interpreter exits\n");
        push_error(api, api ? *api->E_CALLBACK : 0, __func__, "inrfilter: Python has shut down");
        return 0;
    }
    if (!inrfilter_py_filter(reverse, !reverse && closing_now(), cd_nelmts, cd_values, *buf, nbytes, &out, &out_nbytes, error, sizeof error) ||
        out == NULL || out_nbytes == 0) {
        free(out);
        push_error(api, api ? *api->E_CALLBACK : 0, __func__, "%s",
                   error[0] ? error : "inrfilter: the filter's Python side failed (see stderr)");
        return 0;
    }
    free(*buf);
    *buf = out;
    *buf_size = out_nbytes;
    return out_nbytes;
}

/* ---- H5PL entry points ---------------------------------------------------------- */

static const H5Z_class2_t inr_class = {
    H5Z_CLASS_T_VERS,
    (H5Z_filter_t)INRFILTER_FILTER_ID,
    1, /* encoder present */
    1, /* decoder present */
    INRFILTER_FILTER_NAME,
    inr_can_apply,
    inr_set_local,
    inr_filter,
};

__attribute__((visibility("default"))) H5PL_type_t H5PLget_plugin_type(void) { return H5PL_TYPE_FILTER; }

__attribute__((visibility("default"))) const void *H5PLget_plugin_info(void) { return &inr_class; }
