/* emu_launch.h: start a kernel on the CPU emulator. fn(arg) is the body of
 * one CUDA thread (it calls the kernel with its arguments); it runs for
 * every thread of every block, blocks one after another. */
#ifndef GG_EMU_LAUNCH_H
#define GG_EMU_LAUNCH_H

#include <stddef.h>

void emu_launch(unsigned grid, unsigned block, size_t smem_bytes, void (*fn)(void *), void *arg);

#endif
