-- One database per service (DESIGN.md section 5); run once by the postgres image on first start.
CREATE DATABASE flywheel_users;
CREATE DATABASE flywheel_catalog;
CREATE DATABASE flywheel_content;
CREATE DATABASE flywheel_campaigns;
CREATE DATABASE flywheel_analytics;
CREATE DATABASE flywheel_engagement;
CREATE DATABASE flywheel_orders;
CREATE DATABASE flywheel_gateway;
