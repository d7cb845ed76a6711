//! Pure render functions of the App state, one module per screen region.
