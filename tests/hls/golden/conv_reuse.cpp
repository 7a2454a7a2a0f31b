#include "kernel.h"

// Loop labels name loops in the Vitis HLS reports; nothing jumps to them.

#pragma GCC diagnostic ignored "-Wunused-label"

void conv3x3(int32_t A[16][16], int32_t F[3][3], int32_t out0[14][14]) {
  #pragma HLS interface m_axi port=A offset=slave bundle=gmem0
  #pragma HLS interface m_axi port=F offset=slave bundle=gmem1
  #pragma HLS interface m_axi port=out0 offset=slave bundle=gmem2
  #pragma HLS interface s_axilite port=return bundle=control
  #pragma HLS array_partition variable=F type=complete dim=1
  #pragma HLS array_partition variable=F type=complete dim=2
  ap_int<32> A_reuse_y_reuse_x[3][3];
  #pragma HLS array_partition variable=A_reuse_y_reuse_x type=complete dim=1
  #pragma HLS array_partition variable=A_reuse_y_reuse_x type=complete dim=2
  ap_int<32> A_reuse_y[3][16];
  #pragma HLS array_partition variable=A_reuse_y type=complete dim=1
  l_B_init0: for (int B_init0 = 0; B_init0 < 14; B_init0++) {
    l_B_init1: for (int B_init1 = 0; B_init1 < 14; B_init1++) {
      out0[B_init0][B_init1] = 0;
    }
  }
  l_y: for (int y = 0; y < 14; y++) {
    if ((y == 0)) {
      l_A_reuse_y_fill0: for (int A_reuse_y_fill0 = 0; A_reuse_y_fill0 < 3; A_reuse_y_fill0++) {
        l_A_reuse_y_fill1: for (int A_reuse_y_fill1 = 0; A_reuse_y_fill1 < 16; A_reuse_y_fill1++) {
          ap_int<32> v0 = ap_int<32>(A[y + A_reuse_y_fill0][A_reuse_y_fill1]);
          A_reuse_y[A_reuse_y_fill0][A_reuse_y_fill1] = v0;
        }
      }
    } else {
      l_A_reuse_y_shift0: for (int A_reuse_y_shift0 = 0; A_reuse_y_shift0 < 2; A_reuse_y_shift0++) {
        l_A_reuse_y_shift1: for (int A_reuse_y_shift1 = 0; A_reuse_y_shift1 < 16; A_reuse_y_shift1++) {
          ap_int<32> v1 = A_reuse_y[A_reuse_y_shift0 + 1][A_reuse_y_shift1];
          A_reuse_y[A_reuse_y_shift0][A_reuse_y_shift1] = v1;
        }
      }
      l_A_reuse_y_load0: for (int A_reuse_y_load0 = 0; A_reuse_y_load0 < 1; A_reuse_y_load0++) {
        l_A_reuse_y_load1: for (int A_reuse_y_load1 = 0; A_reuse_y_load1 < 16; A_reuse_y_load1++) {
          ap_int<32> v2 = ap_int<32>(A[y + A_reuse_y_load0 + 2][A_reuse_y_load1]);
          A_reuse_y[A_reuse_y_load0 + 2][A_reuse_y_load1] = v2;
        }
      }
    }
    l_x: for (int x = 0; x < 14; x++) {
      #pragma HLS pipeline II=1
      ap_int<32> v = 0;
      if ((x == 0)) {
        l_A_reuse_y_reuse_x_fill0: for (int A_reuse_y_reuse_x_fill0 = 0; A_reuse_y_reuse_x_fill0 < 3; A_reuse_y_reuse_x_fill0++) {
          l_A_reuse_y_reuse_x_fill1: for (int A_reuse_y_reuse_x_fill1 = 0; A_reuse_y_reuse_x_fill1 < 3; A_reuse_y_reuse_x_fill1++) {
            ap_int<32> v3 = A_reuse_y[A_reuse_y_reuse_x_fill0][x + A_reuse_y_reuse_x_fill1];
            A_reuse_y_reuse_x[A_reuse_y_reuse_x_fill0][A_reuse_y_reuse_x_fill1] = v3;
          }
        }
      } else {
        l_A_reuse_y_reuse_x_shift0: for (int A_reuse_y_reuse_x_shift0 = 0; A_reuse_y_reuse_x_shift0 < 3; A_reuse_y_reuse_x_shift0++) {
          l_A_reuse_y_reuse_x_shift1: for (int A_reuse_y_reuse_x_shift1 = 0; A_reuse_y_reuse_x_shift1 < 2; A_reuse_y_reuse_x_shift1++) {
            ap_int<32> v4 = A_reuse_y_reuse_x[A_reuse_y_reuse_x_shift0][A_reuse_y_reuse_x_shift1 + 1];
            A_reuse_y_reuse_x[A_reuse_y_reuse_x_shift0][A_reuse_y_reuse_x_shift1] = v4;
          }
        }
        l_A_reuse_y_reuse_x_load0: for (int A_reuse_y_reuse_x_load0 = 0; A_reuse_y_reuse_x_load0 < 3; A_reuse_y_reuse_x_load0++) {
          l_A_reuse_y_reuse_x_load1: for (int A_reuse_y_reuse_x_load1 = 0; A_reuse_y_reuse_x_load1 < 1; A_reuse_y_reuse_x_load1++) {
            ap_int<32> v5 = A_reuse_y[A_reuse_y_reuse_x_load0][x + A_reuse_y_reuse_x_load1 + 2];
            A_reuse_y_reuse_x[A_reuse_y_reuse_x_load0][A_reuse_y_reuse_x_load1 + 2] = v5;
          }
        }
      }
      v = 0;
      l_r: for (int r = 0; r < 3; r++) {
        l_c: for (int c = 0; c < 3; c++) {
          ap_int<32> v6 = A_reuse_y_reuse_x[r][c];
          ap_int<32> v7 = ap_int<32>(F[r][c]);
          ap_int<64> v8 = ap_int<64>(v6);
          ap_int<64> v9 = ap_int<64>(v7);
          ap_int<64> v10 = v8 * v9;
          ap_int<32> v11 = v;
          ap_int<65> v12 = ap_int<65>(v11);
          ap_int<65> v13 = ap_int<65>(v10);
          ap_int<65> v14 = v12 + v13;
          ap_int<32> v15 = ap_int<32>(v14);
          v = v15;
        }
      }
      ap_int<32> v16 = v;
      out0[y][x] = v16.to_int64();
    }
  }
}
