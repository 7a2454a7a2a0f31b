#include "kernel.h"

// Loop labels name loops in the Vitis HLS reports; nothing jumps to them.

#pragma GCC diagnostic ignored "-Wunused-label"

void jacobi_2d(float A[16][16], float B[16][16]) {
  #pragma HLS interface m_axi port=A offset=slave bundle=gmem0
  #pragma HLS interface m_axi port=B offset=slave bundle=gmem1
  #pragma HLS interface s_axilite port=return bundle=control
  float B_reuse_i_1_reuse_j_1[3][3];
  #pragma HLS array_partition variable=B_reuse_i_1_reuse_j_1 type=complete dim=1
  #pragma HLS array_partition variable=B_reuse_i_1_reuse_j_1 type=complete dim=2
  float B_reuse_i_1[3][16];
  #pragma HLS array_partition variable=B_reuse_i_1 type=complete dim=1
  float A_reuse_i_reuse_j[3][3];
  #pragma HLS array_partition variable=A_reuse_i_reuse_j type=complete dim=1
  #pragma HLS array_partition variable=A_reuse_i_reuse_j type=complete dim=2
  float A_reuse_i[3][16];
  #pragma HLS array_partition variable=A_reuse_i type=complete dim=1
  l_t: for (int t = 0; t < 4; t++) {
    l_i: for (int i = 1; i < 15; i++) {
      if ((i - 1 == 0)) {
        l_A_reuse_i_fill0: for (int A_reuse_i_fill0 = 0; A_reuse_i_fill0 < 3; A_reuse_i_fill0++) {
          l_A_reuse_i_fill1: for (int A_reuse_i_fill1 = 0; A_reuse_i_fill1 < 16; A_reuse_i_fill1++) {
            float v0 = A[i + A_reuse_i_fill0 - 1][A_reuse_i_fill1];
            A_reuse_i[A_reuse_i_fill0][A_reuse_i_fill1] = v0;
          }
        }
      } else {
        l_A_reuse_i_shift0: for (int A_reuse_i_shift0 = 0; A_reuse_i_shift0 < 2; A_reuse_i_shift0++) {
          l_A_reuse_i_shift1: for (int A_reuse_i_shift1 = 0; A_reuse_i_shift1 < 16; A_reuse_i_shift1++) {
            float v1 = A_reuse_i[A_reuse_i_shift0 + 1][A_reuse_i_shift1];
            A_reuse_i[A_reuse_i_shift0][A_reuse_i_shift1] = v1;
          }
        }
        l_A_reuse_i_load0: for (int A_reuse_i_load0 = 0; A_reuse_i_load0 < 1; A_reuse_i_load0++) {
          l_A_reuse_i_load1: for (int A_reuse_i_load1 = 0; A_reuse_i_load1 < 16; A_reuse_i_load1++) {
            float v2 = A[i + A_reuse_i_load0 + 1][A_reuse_i_load1];
            A_reuse_i[A_reuse_i_load0 + 2][A_reuse_i_load1] = v2;
          }
        }
      }
      l_j: for (int j = 1; j < 15; j++) {
        #pragma HLS pipeline II=1
        if ((j - 1 == 0)) {
          l_A_reuse_i_reuse_j_fill0: for (int A_reuse_i_reuse_j_fill0 = 0; A_reuse_i_reuse_j_fill0 < 3; A_reuse_i_reuse_j_fill0++) {
            l_A_reuse_i_reuse_j_fill1: for (int A_reuse_i_reuse_j_fill1 = 0; A_reuse_i_reuse_j_fill1 < 3; A_reuse_i_reuse_j_fill1++) {
              float v3 = A_reuse_i[A_reuse_i_reuse_j_fill0][j + A_reuse_i_reuse_j_fill1 - 1];
              A_reuse_i_reuse_j[A_reuse_i_reuse_j_fill0][A_reuse_i_reuse_j_fill1] = v3;
            }
          }
        } else {
          l_A_reuse_i_reuse_j_shift0: for (int A_reuse_i_reuse_j_shift0 = 0; A_reuse_i_reuse_j_shift0 < 3; A_reuse_i_reuse_j_shift0++) {
            l_A_reuse_i_reuse_j_shift1: for (int A_reuse_i_reuse_j_shift1 = 0; A_reuse_i_reuse_j_shift1 < 2; A_reuse_i_reuse_j_shift1++) {
              float v4 = A_reuse_i_reuse_j[A_reuse_i_reuse_j_shift0][A_reuse_i_reuse_j_shift1 + 1];
              A_reuse_i_reuse_j[A_reuse_i_reuse_j_shift0][A_reuse_i_reuse_j_shift1] = v4;
            }
          }
          l_A_reuse_i_reuse_j_load0: for (int A_reuse_i_reuse_j_load0 = 0; A_reuse_i_reuse_j_load0 < 3; A_reuse_i_reuse_j_load0++) {
            l_A_reuse_i_reuse_j_load1: for (int A_reuse_i_reuse_j_load1 = 0; A_reuse_i_reuse_j_load1 < 1; A_reuse_i_reuse_j_load1++) {
              float v5 = A_reuse_i[A_reuse_i_reuse_j_load0][j + A_reuse_i_reuse_j_load1 + 1];
              A_reuse_i_reuse_j[A_reuse_i_reuse_j_load0][A_reuse_i_reuse_j_load1 + 2] = v5;
            }
          }
        }
        float v6 = A_reuse_i_reuse_j[1][1];
        float v7 = A_reuse_i_reuse_j[1][0];
        float v8 = v6 + v7;
        float v9 = A_reuse_i_reuse_j[1][2];
        float v10 = v8 + v9;
        float v11 = A_reuse_i_reuse_j[2][1];
        float v12 = v10 + v11;
        float v13 = A_reuse_i_reuse_j[0][1];
        float v14 = v12 + v13;
        float v15 = 0.2f * v14;
        B[i][j] = v15;
      }
    }
    l_i_1: for (int i_1 = 1; i_1 < 15; i_1++) {
      if ((i_1 - 1 == 0)) {
        l_B_reuse_i_1_fill0: for (int B_reuse_i_1_fill0 = 0; B_reuse_i_1_fill0 < 3; B_reuse_i_1_fill0++) {
          l_B_reuse_i_1_fill1: for (int B_reuse_i_1_fill1 = 0; B_reuse_i_1_fill1 < 16; B_reuse_i_1_fill1++) {
            float v16 = B[i_1 + B_reuse_i_1_fill0 - 1][B_reuse_i_1_fill1];
            B_reuse_i_1[B_reuse_i_1_fill0][B_reuse_i_1_fill1] = v16;
          }
        }
      } else {
        l_B_reuse_i_1_shift0: for (int B_reuse_i_1_shift0 = 0; B_reuse_i_1_shift0 < 2; B_reuse_i_1_shift0++) {
          l_B_reuse_i_1_shift1: for (int B_reuse_i_1_shift1 = 0; B_reuse_i_1_shift1 < 16; B_reuse_i_1_shift1++) {
            float v17 = B_reuse_i_1[B_reuse_i_1_shift0 + 1][B_reuse_i_1_shift1];
            B_reuse_i_1[B_reuse_i_1_shift0][B_reuse_i_1_shift1] = v17;
          }
        }
        l_B_reuse_i_1_load0: for (int B_reuse_i_1_load0 = 0; B_reuse_i_1_load0 < 1; B_reuse_i_1_load0++) {
          l_B_reuse_i_1_load1: for (int B_reuse_i_1_load1 = 0; B_reuse_i_1_load1 < 16; B_reuse_i_1_load1++) {
            float v18 = B[i_1 + B_reuse_i_1_load0 + 1][B_reuse_i_1_load1];
            B_reuse_i_1[B_reuse_i_1_load0 + 2][B_reuse_i_1_load1] = v18;
          }
        }
      }
      l_j_1: for (int j_1 = 1; j_1 < 15; j_1++) {
        #pragma HLS pipeline II=1
        if ((j_1 - 1 == 0)) {
          l_B_reuse_i_1_reuse_j_1_fill0: for (int B_reuse_i_1_reuse_j_1_fill0 = 0; B_reuse_i_1_reuse_j_1_fill0 < 3; B_reuse_i_1_reuse_j_1_fill0++) {
            l_B_reuse_i_1_reuse_j_1_fill1: for (int B_reuse_i_1_reuse_j_1_fill1 = 0; B_reuse_i_1_reuse_j_1_fill1 < 3; B_reuse_i_1_reuse_j_1_fill1++) {
              float v19 = B_reuse_i_1[B_reuse_i_1_reuse_j_1_fill0][j_1 + B_reuse_i_1_reuse_j_1_fill1 - 1];
              B_reuse_i_1_reuse_j_1[B_reuse_i_1_reuse_j_1_fill0][B_reuse_i_1_reuse_j_1_fill1] = v19;
            }
          }
        } else {
          l_B_reuse_i_1_reuse_j_1_shift0: for (int B_reuse_i_1_reuse_j_1_shift0 = 0; B_reuse_i_1_reuse_j_1_shift0 < 3; B_reuse_i_1_reuse_j_1_shift0++) {
            l_B_reuse_i_1_reuse_j_1_shift1: for (int B_reuse_i_1_reuse_j_1_shift1 = 0; B_reuse_i_1_reuse_j_1_shift1 < 2; B_reuse_i_1_reuse_j_1_shift1++) {
              float v20 = B_reuse_i_1_reuse_j_1[B_reuse_i_1_reuse_j_1_shift0][B_reuse_i_1_reuse_j_1_shift1 + 1];
              B_reuse_i_1_reuse_j_1[B_reuse_i_1_reuse_j_1_shift0][B_reuse_i_1_reuse_j_1_shift1] = v20;
            }
          }
          l_B_reuse_i_1_reuse_j_1_load0: for (int B_reuse_i_1_reuse_j_1_load0 = 0; B_reuse_i_1_reuse_j_1_load0 < 3; B_reuse_i_1_reuse_j_1_load0++) {
            l_B_reuse_i_1_reuse_j_1_load1: for (int B_reuse_i_1_reuse_j_1_load1 = 0; B_reuse_i_1_reuse_j_1_load1 < 1; B_reuse_i_1_reuse_j_1_load1++) {
              float v21 = B_reuse_i_1[B_reuse_i_1_reuse_j_1_load0][j_1 + B_reuse_i_1_reuse_j_1_load1 + 1];
              B_reuse_i_1_reuse_j_1[B_reuse_i_1_reuse_j_1_load0][B_reuse_i_1_reuse_j_1_load1 + 2] = v21;
            }
          }
        }
        float v22 = B_reuse_i_1_reuse_j_1[1][1];
        float v23 = B_reuse_i_1_reuse_j_1[1][0];
        float v24 = v22 + v23;
        float v25 = B_reuse_i_1_reuse_j_1[1][2];
        float v26 = v24 + v25;
        float v27 = B_reuse_i_1_reuse_j_1[2][1];
        float v28 = v26 + v27;
        float v29 = B_reuse_i_1_reuse_j_1[0][1];
        float v30 = v28 + v29;
        float v31 = 0.2f * v30;
        A[i_1][j_1] = v31;
      }
    }
  }
}
