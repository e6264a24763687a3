/* Writes a raw array into a new HDF5 dataset through the inrfilter plugin, found
 * through HDF5_PLUGIN_PATH: what any C program does.  Used by tests/test_h5_native.py.
 *
 *   inr_write OUT.h5 DATASET TYPE RAWFILE DIMS CHUNKS CD_VALUES
 *
 * TYPE is u8, i16, f32 or f64; DIMS and CHUNKS look like 40x36; CD_VALUES are
 * comma-separated (`inrfilter cd-values` prints them; "" for the defaults).
 * It calls H5Zfilter_avail before creating the dataset, as HDF5 1.10 programs
 * must (docs/hdf5.md).  Exit status 0 on success, 1 if HDF5 failed.
 */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef INR_FILTER_ID
#error "compile with -DINR_FILTER_ID=<inrfilter.plugin.FILTER_ID>"
#endif

static int parse_list(const char *text, char sep, unsigned long long *out, int max)
{
    int n = 0;
    while (*text && n < max) {
        char *end;
        out[n++] = strtoull(text, &end, 10);
        if (end == text)
            return -1;
        text = *end == sep ? end + 1 : end;
    }
    return n;
}

int main(int argc, char **argv)
{
    if (argc != 8) {
        fprintf(stderr, "usage: %s OUT.h5 DATASET TYPE RAWFILE DIMS CHUNKS CD_VALUES\n", argv[0]);
        return 2;
    }
    hid_t type = !strcmp(argv[3], "u8")    ? H5T_NATIVE_UINT8
                 : !strcmp(argv[3], "i16") ? H5T_NATIVE_INT16
                 : !strcmp(argv[3], "f32") ? H5T_NATIVE_FLOAT
                 : !strcmp(argv[3], "f64") ? H5T_NATIVE_DOUBLE
                                           : H5I_INVALID_HID;
    unsigned long long dims_ull[8], chunks_ull[8], cd_ull[256];
    int rank = parse_list(argv[5], 'x', dims_ull, 8);
    int crank = parse_list(argv[6], 'x', chunks_ull, 8);
    int ncd = parse_list(argv[7], ',', cd_ull, 256);
    if (type == H5I_INVALID_HID || rank < 1 || crank != rank || ncd < 0) {
        fprintf(stderr, "bad TYPE, DIMS, CHUNKS or CD_VALUES\n");
        return 2;
    }
    hsize_t dims[8], chunks[8];
    unsigned cd[256];
    size_t count = 1;
    for (int i = 0; i < rank; i++) {
        dims[i] = dims_ull[i];
        chunks[i] = chunks_ull[i];
        count *= dims[i];
    }
    for (int i = 0; i < ncd; i++)
        cd[i] = (unsigned)cd_ull[i];

    size_t nbytes = count * H5Tget_size(type);
    char *data = malloc(nbytes);
    FILE *raw = fopen(argv[4], "rb");
    if (!data || !raw || fread(data, 1, nbytes, raw) != nbytes) {
        fprintf(stderr, "cannot read %zu bytes from %s\n", nbytes, argv[4]);
        return 2;
    }
    fclose(raw);

    if (H5Zfilter_avail(INR_FILTER_ID) <= 0) {
        fprintf(stderr, "filter %d not available: is HDF5_PLUGIN_PATH set?\n", INR_FILTER_ID);
        return 1;
    }
    hid_t file = H5Fcreate(argv[1], H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (file < 0 || space < 0 || dcpl < 0 || H5Pset_chunk(dcpl, rank, chunks) < 0 ||
        H5Pset_filter(dcpl, INR_FILTER_ID, H5Z_FLAG_MANDATORY, (size_t)ncd, cd) < 0)
        return 1;
    hid_t dset = H5Dcreate2(file, argv[2], type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (dset < 0 || H5Dwrite(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        return 1;
    if (H5Dclose(dset) < 0 || H5Pclose(dcpl) < 0 || H5Sclose(space) < 0 || H5Fclose(file) < 0)
        return 1;
    free(data);
    return 0;
}
