"""C2M reverse customization (反向定制): demand signals clustered into demand clusters, and the
proposals to suppliers operators make of them."""
