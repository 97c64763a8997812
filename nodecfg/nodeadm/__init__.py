"""Facts about nodeadm itself, imported downward by every stage.

``release.py``: what varies between AMI releases (each a tag of
awslabs/amazon-eks-ami whose nodeadm the AMI ships), as data and a
``Profile`` the renderers, validators and rules ask.
"""
