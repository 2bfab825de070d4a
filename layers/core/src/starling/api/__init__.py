"""What every HTTP function shares: error answers, the caller, idempotent writes, paging."""
