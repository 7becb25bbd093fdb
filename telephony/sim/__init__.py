"""The PBX simulator: a TCP server speaking Asterisk 20's AMI, with scenarios, CDR rows and recordings."""
