#include "kernel.h"

// Loop labels name loops in the Vitis HLS reports; nothing jumps to them.

#pragma GCC diagnostic ignored "-Wunused-label"

static const ap_int<16> g_const_0[8] = {
    122, -287, 655, 1556, 1556, 655, -287, 122};

void fir(ap_fixed<16, 4, AP_TRN, AP_WRAP> x[32], ap_fixed<16, 4, AP_TRN, AP_WRAP> out0[25]) {
  #pragma HLS interface m_axi port=x offset=slave bundle=gmem0
  #pragma HLS interface m_axi port=out0 offset=slave bundle=gmem1
  #pragma HLS interface s_axilite port=return bundle=control
  ap_int<16> h[8];
  for (int c = 0; c < 8; c++) {
    h[c] = g_const_0[c];
  }
  l_y_init0: for (int y_init0 = 0; y_init0 < 25; y_init0++) {
    out0[y_init0].range(15, 0) = ap_int<16>(0);
  }
  l_n_outer: for (int n_outer = 0; n_outer < 5; n_outer++) {
    l_n_inner: for (int n_inner = 0; n_inner < 5; n_inner++) {
      #pragma HLS pipeline II=1
      ap_int<32> acc = 0;
      int64_t v0 = n_outer * 5 + n_inner;
      acc = 0;
      l_t: for (int t = 0; t < 8; t++) {
        #pragma HLS unroll
        ap_int<16> v1 = ap_int<16>(x[v0 + t].range(15, 0));
        ap_int<16> v2 = h[t];
        ap_int<32> v3 = ap_int<32>(v1);
        ap_int<32> v4 = ap_int<32>(v2);
        ap_int<32> v5 = v3 * v4;
        ap_int<32> v6 = acc;
        ap_int<33> v7 = ap_int<33>(v6);
        ap_int<33> v8 = ap_int<33>(v5);
        ap_int<33> v9 = v7 + v8;
        ap_int<32> v10 = ap_int<32>(v9);
        acc = v10;
      }
      ap_int<32> v11 = acc;
      ap_int<32> v12 = ap_int<32>(v11 >> 12);
      ap_int<16> v13 = ap_int<16>(v12);
      out0[v0].range(15, 0) = v13;
    }
  }
}
