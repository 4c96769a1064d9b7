"""Open Referral HSDS 3.x: full service records with nested organization and locations."""
