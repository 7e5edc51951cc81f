//! `metav1.Status` objects: the error bodies of the API, with the real reasons, codes and texts.
