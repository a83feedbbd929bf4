#!/bin/sh
# e opens the variant's kernel in $EDITOR; on return the kernel is rebuilt.
# A compile error shows NVRTC's log and keeps the last good build; a save
# from outside (the file watched) rebuilds too: hot reload.
. "${top_srcdir:-.}/tests/tui/tui-lib.sh"

# Edit a copy of the kernels, never the source tree.
cp -R "$top_srcdir/kernels" "$TUI_DIR/kernels" || tui_fail "cannot copy the kernels"
chmod -R u+w "$TUI_DIR/kernels"
cat >"$TUI_DIR/ed.sh" <<'ED'
#!/bin/sh
# A scripted editor: break or fix the file, as $ED_MODE_FILE says.
case $(cat "$ED_MODE_FILE") in
break) { echo '#error ggscope-test-broken'; cat "$1"; } >"$1.new" && mv "$1.new" "$1" ;;
fix) grep -v 'ggscope-test-broken' "$1" >"$1.new" && mv "$1.new" "$1" ;;
esac
echo "edited $1" >>"$ED_MODE_FILE.log"
ED
chmod +x "$TUI_DIR/ed.sh"
echo break >"$TUI_DIR/mode"

tui_shell
tui_run "GGSCOPE_KERNELS_DIR='$TUI_DIR/kernels' XDG_CACHE_HOME='$TUI_DIR/cache' EDITOR='$TUI_DIR/ed.sh' ED_MODE_FILE='$TUI_DIR/mode' VISUAL="
tui_wait "Detail: basic, 1 warp"
tui_wait "regs  spill"
tui_keys e
tui_wait "compile failed"
tui_wait "ggscope-test-broken"
tui_has "the last good build stays in use"
tui_has "FAILED (L: full log)"
grep -q "edited $TUI_DIR/kernels/q4k_basic.cu" "$TUI_DIR/mode.log" || tui_fail "the editor did not get the kernel file"
tui_keys L
tui_wait "NVRTC log: basic, 1 warp"
tui_has "ggscope-test-broken"
tui_keys Escape
tui_gone "NVRTC log"

echo fix >"$TUI_DIR/mode"
tui_keys e
tui_wait "regs  spill"
tui_lacks "FAILED (L: full log)"

# Saved from elsewhere: the watched file changes, the kernel is rebuilt.
echo '// touched by the test' >>"$TUI_DIR/kernels/q4k_basic.cu"
tui_wait "q4k_basic.cu changed: rebuilding"
tui_wait "regs  spill"
tui_keys q
tui_wait "GGSCOPE-EXIT=0"
