#include "kernel.h"

// Loop labels name loops in the Vitis HLS reports; nothing jumps to them.

#pragma GCC diagnostic ignored "-Wunused-label"

void gemm(int32_t A[32][32], int32_t B[32][32], int32_t out0[32][32]) {
  #pragma HLS interface m_axi port=A offset=slave bundle=gmem0
  #pragma HLS interface m_axi port=B offset=slave bundle=gmem1
  #pragma HLS interface m_axi port=out0 offset=slave bundle=gmem2
  #pragma HLS interface s_axilite port=return bundle=control
  #pragma HLS array_partition variable=A type=cyclic factor=4 dim=2
  #pragma HLS array_partition variable=B type=cyclic factor=4 dim=2
  ap_int<32> C_buf[32];
  #pragma HLS array_partition variable=C_buf type=cyclic factor=4 dim=1
  l_C_init0: for (int C_init0 = 0; C_init0 < 32; C_init0++) {
    l_C_init1: for (int C_init1 = 0; C_init1 < 32; C_init1++) {
      out0[C_init0][C_init1] = 0;
    }
  }
  l_i: for (int i = 0; i < 32; i++) {
    l_C_buf_init0: for (int C_buf_init0 = 0; C_buf_init0 < 32; C_buf_init0++) {
      ap_int<32> v0 = ap_int<32>(out0[i][C_buf_init0]);
      C_buf[C_buf_init0] = v0;
    }
    l_k: for (int k = 0; k < 32; k++) {
      l_j: for (int j = 0; j < 32; j++) {
        #pragma HLS pipeline II=1
        ap_int<32> v1 = ap_int<32>(A[i][k]);
        ap_int<32> v2 = ap_int<32>(B[k][j]);
        ap_int<64> v3 = ap_int<64>(v1);
        ap_int<64> v4 = ap_int<64>(v2);
        ap_int<64> v5 = v3 * v4;
        ap_int<32> v6 = C_buf[j];
        ap_int<65> v7 = ap_int<65>(v6);
        ap_int<65> v8 = ap_int<65>(v5);
        ap_int<65> v9 = v7 + v8;
        ap_int<32> v10 = ap_int<32>(v9);
        C_buf[j] = v10;
      }
    }
    l_C_buf_wb0: for (int C_buf_wb0 = 0; C_buf_wb0 < 32; C_buf_wb0++) {
      ap_int<32> v11 = C_buf[C_buf_wb0];
      out0[i][C_buf_wb0] = v11.to_int64();
    }
  }
}
