"""Trade: orders, payments and refunds, the step that closes the loop."""
