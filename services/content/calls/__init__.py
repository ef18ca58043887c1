"""Content calls (内容征集): a themed call with a time window, customers' posts entered in it,
winners judged by operators or by engagement and rewarded through events."""
