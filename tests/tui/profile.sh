#!/bin/sh
# p shows the whole GpuProfile with the source of every field; Enter there
# makes the selected cell the user's choice. Without a GPU the profile is
# the one ggscope's rule gives the builds' architecture (sm_90: its stream
# dp4a kernels at 4 warps), and says so.
. "${top_srcdir:-.}/tests/tui/tui-lib.sh"

tui_shell
tui_run "MWV_WARPS=5"
tui_wait "regs  spill"
tui_has "q4k=q4k_stream_dp4a (auto)"
tui_has "mwv_warps=5 (env)"
tui_has "stream_warps=4 (auto)"
if [ ! -e /dev/nvidia0 ]; then
	tui_has "for sm_90 (no GPU: the builds' default)"
fi
tui_keys p
tui_wait "GpuProfile"
for f in q4k q6k mwv_warps stream_warps prefill_path hgemm_decode fused_gate_up fp8_prefill fp8_decode \
	w4a16_interleaved sm_target cc; do
	tui_has " $f "
done
tui_has "MWV_WARPS=5"
# basic is not one of the kernels the profile chooses between (at k = 4096
# the seed's Legacy is tiled): refused, with the choices named.
tui_keys Enter
tui_gone "Enter: apply the selection"
tui_wait "q4k_basic is not a variant the GpuProfile chooses between"
tui_has "q4k=q4k_stream_dp4a (auto)"
# mwv with 4 warps: both become user choices, over the environment.
tui_keys l v v v v v v w w w
tui_wait "Detail: mwv, 4 warps"
tui_keys p Enter
tui_wait "GpuProfile: q4k = q4k_mwv, mwv_warps = 4 (user choice)"
tui_has "q4k=q4k_mwv (user)"
tui_has "mwv_warps=4 (user)"
tui_keys p
tui_wait "MWV_WARPS=5 is set but a user choice wins"
tui_keys Escape
# stream with 3 warps: its warps go to stream_warps, mwv_warps stays.
tui_keys v v v W
tui_wait "Detail: stream, 3 warps"
tui_keys p Enter
tui_wait "GpuProfile: q4k = q4k_stream, stream_warps = 3 (user choice)"
tui_has "q4k=q4k_stream (user)"
tui_has "mwv_warps=4 (user)"
tui_has "stream_warps=3 (user)"
tui_keys q
tui_wait "GGSCOPE-EXIT=0"
