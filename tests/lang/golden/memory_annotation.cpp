#include "kernel.h"

// Loop labels name loops in the Vitis HLS reports; nothing jumps to them.

#pragma GCC diagnostic ignored "-Wunused-label"

void k_mem(int32_t A[8][8], int32_t B[8], int32_t out0[8]) {
  #pragma HLS interface m_axi port=A offset=slave bundle=gmem0
  #pragma HLS interface m_axi port=B offset=slave bundle=gmem1
  #pragma HLS interface m_axi port=out0 offset=slave bundle=gmem2
  #pragma HLS interface s_axilite port=return bundle=control
  #pragma HLS bind_storage variable=A type=ram_2p impl=uram
  #pragma HLS bind_storage variable=B type=rom_1p impl=bram
  #pragma HLS bind_storage variable=out0 type=ram_2p impl=bram
  ap_int<32> buf[8];
  #pragma HLS bind_storage variable=buf type=ram_1p impl=lutram latency=2
  l_buf_init0: for (int buf_init0 = 0; buf_init0 < 8; buf_init0++) {
    buf[buf_init0] = 0;
  }
  l_C_init0: for (int C_init0 = 0; C_init0 < 8; C_init0++) {
    out0[C_init0] = 0;
  }
  l_i: for (int i = 0; i < 8; i++) {
    l_j: for (int j = 0; j < 8; j++) {
      ap_int<32> v0 = ap_int<32>(A[i][j]);
      ap_int<32> v1 = ap_int<32>(B[i]);
      ap_int<64> v2 = ap_int<64>(v0);
      ap_int<64> v3 = ap_int<64>(v1);
      ap_int<64> v4 = v2 * v3;
      ap_int<32> v5 = buf[j];
      ap_int<65> v6 = ap_int<65>(v5);
      ap_int<65> v7 = ap_int<65>(v4);
      ap_int<65> v8 = v6 + v7;
      ap_int<32> v9 = ap_int<32>(v8);
      buf[j] = v9;
    }
  }
  l_j_1: for (int j_1 = 0; j_1 < 8; j_1++) {
    ap_int<32> v10 = buf[j_1];
    ap_int<33> v11 = ap_int<33>(v10);
    ap_int<33> v12 = v11 + 1;
    ap_int<32> v13 = ap_int<32>(v12);
    out0[j_1] = v13.to_int64();
  }
}
