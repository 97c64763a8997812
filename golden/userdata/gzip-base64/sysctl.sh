#!/bin/bash
echo "fs.inotify.max_user_watches=524288" > /etc/sysctl.d/90-inotify.conf
