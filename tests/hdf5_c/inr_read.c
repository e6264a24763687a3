/* Reads a whole dataset (any filter HDF5 can load, e.g. inrfilter through
 * HDF5_PLUGIN_PATH) in its native type and writes the raw bytes.  Used by
 * tests/test_h5_native.py.
 *
 *   inr_read FILE.h5 DATASET OUT.raw
 *
 * Exit status 0 on success, 1 if HDF5 failed (its error stack is on stderr).
 */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s FILE.h5 DATASET OUT.raw\n", argv[0]);
        return 2;
    }
    hid_t file = H5Fopen(argv[1], H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t dset = file < 0 ? -1 : H5Dopen2(file, argv[2], H5P_DEFAULT);
    if (dset < 0)
        return 1;
    hid_t space = H5Dget_space(dset);
    hid_t type = H5Tget_native_type(H5Dget_type(dset), H5T_DIR_ASCEND);
    hssize_t count = H5Sget_simple_extent_npoints(space);
    size_t nbytes = (size_t)count * H5Tget_size(type);
    char *data = malloc(nbytes ? nbytes : 1);
    if (count < 0 || !data || H5Dread(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        return 1;
    FILE *out = fopen(argv[3], "wb");
    if (!out || fwrite(data, 1, nbytes, out) != nbytes || fclose(out) != 0)
        return 2;
    free(data);
    H5Dclose(dset);
    H5Fclose(file);
    return 0;
}
