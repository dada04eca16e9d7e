def cron_matches(expr, when):
    raise NotImplementedError
