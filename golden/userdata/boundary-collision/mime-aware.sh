#!/bin/bash
# This script mentions the default boundary, ==NODECFG==, so nodecfg picks another.
grep -c '^--==NODECFG==$' /var/lib/cloud/instance/user-data.txt
