"""Community Q&A on products: questions, answers by customers and staff, the best answer."""
