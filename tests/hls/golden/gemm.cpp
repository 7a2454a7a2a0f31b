#include "kernel.h"

// Loop labels name loops in the Vitis HLS reports; nothing jumps to them.

#pragma GCC diagnostic ignored "-Wunused-label"

void gemm(int32_t A[64][64], int32_t B[64][64], int32_t out0[64][64]) {
  #pragma HLS interface m_axi port=A offset=slave bundle=gmem0
  #pragma HLS interface m_axi port=B offset=slave bundle=gmem1
  #pragma HLS interface m_axi port=out0 offset=slave bundle=gmem2
  #pragma HLS interface s_axilite port=return bundle=control
  l_C_init0: for (int C_init0 = 0; C_init0 < 64; C_init0++) {
    l_C_init1: for (int C_init1 = 0; C_init1 < 64; C_init1++) {
      out0[C_init0][C_init1] = 0;
    }
  }
  l_i_outer: for (int i_outer = 0; i_outer < 8; i_outer++) {
    l_j_outer: for (int j_outer = 0; j_outer < 8; j_outer++) {
      l_k: for (int k = 0; k < 64; k++) {
        #pragma HLS pipeline II=1
        l_i_inner: for (int i_inner = 0; i_inner < 8; i_inner++) {
          l_j_inner: for (int j_inner = 0; j_inner < 8; j_inner++) {
            #pragma HLS unroll
            int64_t v0 = i_outer * 8 + i_inner;
            int64_t v1 = j_outer * 8 + j_inner;
            ap_int<32> v2 = ap_int<32>(A[v0][k]);
            ap_int<32> v3 = ap_int<32>(B[k][v1]);
            ap_int<64> v4 = ap_int<64>(v2);
            ap_int<64> v5 = ap_int<64>(v3);
            ap_int<64> v6 = v4 * v5;
            ap_int<32> v7 = ap_int<32>(out0[v0][v1]);
            ap_int<65> v8 = ap_int<65>(v7);
            ap_int<65> v9 = ap_int<65>(v6);
            ap_int<65> v10 = v8 + v9;
            ap_int<32> v11 = ap_int<32>(v10);
            out0[v0][v1] = v11.to_int64();
          }
        }
      }
    }
  }
}
