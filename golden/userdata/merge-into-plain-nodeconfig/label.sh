#!/bin/bash
echo overlay
