#!/bin/bash
mkdir -p /var/cache/models
