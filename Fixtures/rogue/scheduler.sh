#!/bin/sh
# Schedules the agent to come back: scheduler.sh DIR crontab|systemctl
# The programs are stand-ins (copies of /bin/true), so nothing is scheduled
# even if they ran.
cp /bin/true "$1/$2"
case "$2" in
crontab) "$1/crontab" "$1/jobs" ;;
systemctl) "$1/systemctl" enable --now agent.service ;;
esac
echo "$2 rc=$?"
