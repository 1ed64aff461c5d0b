"""What ADMINs read and change to run their organisation."""
