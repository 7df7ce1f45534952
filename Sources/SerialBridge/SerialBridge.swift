import SerialIO
