"""Flash sales (秒杀): sessions of SKUs at a flash price with a flash stock and a per-customer
limit, reserved with zero oversell (Redis or the database), returned once when unpaid."""
